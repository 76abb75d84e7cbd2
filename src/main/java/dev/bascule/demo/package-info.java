/**
 * The demo's origin servers: small HTTP servers that answer with a page naming themselves, so the starting
 * scenario can be tried without any other software. Not part of the proxy's data path.
 */
package dev.bascule.demo;
