import { productionMode } from '../support/e2e-modes';
import { defineChatSuite } from './chat-suite';

defineChatSuite(productionMode('gw_e2e_chat_test', 5));
