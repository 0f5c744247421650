import { embeddedMode } from '../support/e2e-modes';
import { defineMessagesSuite } from './messages-suite';

defineMessagesSuite(embeddedMode);
