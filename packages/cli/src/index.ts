export { type RunningServer, type ServeOptions, startServer } from './serve/startServer.js';
export { runServe, type ServeIo } from './serve/serveCommand.js';
