import { createServer } from 'node:net';

/** True when every port can be listened on at 127.0.0.1 now (tests that need the documented default ports). */
export function portsFree(...ports: number[]): Promise<boolean> {
  const one = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer().once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  return Promise.all(ports.map(one)).then((all) => all.every(Boolean));
}
