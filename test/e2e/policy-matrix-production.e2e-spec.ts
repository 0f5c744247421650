import { productionMode } from '../support/e2e-modes';
import { definePolicyMatrix } from './policy-matrix-suite';

definePolicyMatrix(productionMode('gw_policy_matrix_e2e_test', 1));
