import { productionMode } from '../support/e2e-modes';
import { defineResponsesSuite } from './responses-suite';

defineResponsesSuite(productionMode('gw_e2e_responses_test', 12));
