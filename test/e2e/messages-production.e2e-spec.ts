import { productionMode } from '../support/e2e-modes';
import { defineMessagesSuite } from './messages-suite';

defineMessagesSuite(productionMode('gw_e2e_messages_test', 13));
