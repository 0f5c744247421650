import { embeddedMode } from '../support/e2e-modes';
import { defineChatSuite } from './chat-suite';

defineChatSuite(embeddedMode);
