// Test support, preloaded with `node --import` into a broker child process: every journal write takes a
// second, so a test can kill the broker between an acknowledgement and a write that should precede it.
import fs from "node:fs";

const delayInMs = 1000;
const writeSync = fs.writeSync;
fs.writeSync = function slowJournalWrite(fd, data, ...rest) {
  if (typeof data === "string" && data.includes('"op"')) {
    const until = Date.now() + delayInMs;
    while (Date.now() < until);
  }
  return writeSync.call(this, fd, data, ...rest);
};
