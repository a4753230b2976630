// The notifier browser client as an ES module: import { connect } from '/notifier.mjs';
// The implementation is /notifier.js, evaluated once whichever way a page loads it.
import './notifier.js';

export const connect = globalThis.notifier.connect;
export default globalThis.notifier;
