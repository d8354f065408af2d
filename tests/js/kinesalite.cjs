// Starts kinesalite (in memory) on 127.0.0.1 only (its own CLI listens on
// every interface) and prints its URL; stopped by its PID.
//   node tests/js/kinesalite.cjs [port] [delayMs]
// delayMs: how long streams stay CREATING, UPDATING and DELETING (0 by default).
const kinesalite = require('kinesalite');

const delay = Number(process.argv[3] ?? 0);
const server = kinesalite({ createStreamMs: delay, deleteStreamMs: delay, updateStreamMs: delay, shardLimit: 100 });
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`kinesalite listening on http://${address}:${port}/ (pid ${process.pid})`);
});
const stop = () => process.exit(0);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
