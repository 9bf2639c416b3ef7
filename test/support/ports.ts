import { createConnection } from "node:net";

/** Whether something on 127.0.0.1 accepts a TCP connection on `port` (a server still running). */
export const acceptsConnections = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
