import { embeddedMode } from '../support/e2e-modes';
import { definePolicyMatrix } from './policy-matrix-suite';

definePolicyMatrix(embeddedMode);
