export { guardVerdict, startFakeGuard, type FakeGuard } from './fake-guard';
