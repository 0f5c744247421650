import { embeddedMode } from '../support/e2e-modes';
import { defineResponsesSuite } from './responses-suite';

defineResponsesSuite(embeddedMode);
