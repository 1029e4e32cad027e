// The database object that PGLiteSocketServer drives, put in front of a
// PGlite 0.3 instance. The socket server (written for PGlite 0.5) calls
// waitReady, runExclusive, execProtocolRawStream, isInTransaction and exec;
// this class gives each the meaning that keeps clients apart on a single
// backend (see server.mjs).
//
// What the engine does with raw protocol messages, found by feeding it
// messages one at a time (PGlite's `_interactive_one`):
// - One call runs every message in the buffer it is given and returns all
//   the backend wrote; extended-protocol messages may come one per call, and
//   ReadyForQuery arrives only after Sync or a simple Query.
// - A startup packet is answered with an MD5 password request; the backend
//   needs the password message (any password) before it answers queries.
// - Terminate ('X') is answered with nothing and the backend lives on.
// - COPY FROM STDIN makes the backend read CopyData from the same input
//   buffer. When the buffer holds only the Query, the backend reads end of
//   input, treats it as a lost client and the WebAssembly module aborts
//   ("RuntimeError: unreachable"): that is the crash seen with Npgsql's
//   binary import. So a COPY is collected whole (Query, CopyData...,
//   CopyDone) and run in one call; the CopyInResponse the client must see
//   first is taken from a probe that runs the COPY and fails it at once.
//   In the extended protocol it is refused (see withoutExtendedCopy).

const SIMPLE_QUERY = 0x51 // 'Q'
const READY_FOR_QUERY = 0x5a // 'Z'
const COPY_IN_RESPONSE = 0x47 // 'G'
const PROTOCOL_3 = 196608

// Messages after which the backend waits for more of the same batch; it
// answers with ReadyForQuery only at the Sync.
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'])

function frontendMessage(type, body) {
  const out = Buffer.alloc(5 + body.length)
  out.write(type, 0, 'latin1')
  out.writeInt32BE(4 + body.length, 1)
  body.copy(out, 5)
  return out
}

const cstring = (s) => Buffer.from(`${s}\0`, 'utf8')
const simpleQuery = (sql) => frontendMessage('Q', cstring(sql))
const copyFail = (reason) => frontendMessage('f', cstring(reason))
const sync = () => frontendMessage('S', Buffer.alloc(0))
// Any non-empty password passes; an empty one fails the handshake and
// leaves the backend answering without ReadyForQuery, for every client.
const password = () => frontendMessage('p', cstring('eventide'))
const isEmptyPassword = (msg) => msg[0] === 0x70 && msg.length === 6

function isStartup(msg) {
  return msg.length >= 8 && msg[0] === 0 && msg.readInt32BE(4) === PROTOCOL_3
}

// Yields [type, start, end) for each complete backend message in buf.
function* backendMessages(buf) {
  let at = 0
  while (at + 5 <= buf.length) {
    const end = at + 1 + buf.readInt32BE(at + 1)
    if (end > buf.length) return
    yield [buf[at], at, end]
    at = end
  }
}

function lastReadyStatus(buf) {
  let status = null
  for (const [type, start] of backendMessages(buf)) {
    if (type === READY_FOR_QUERY) status = String.fromCharCode(buf[start + 5])
  }
  return status
}

const NOTICE = 0x4e // 'N'
const DEBUG_SEVERITY = Buffer.from('SDEBUG', 'latin1')
const LOG_SEVERITY = Buffer.from('SLOG\0', 'latin1')

// DEBUGn and LOG rank below NOTICE for clients.
function isBelowNotice(buf, start) {
  return buf[start] === NOTICE &&
    (buf.subarray(start + 5, start + 11).equals(DEBUG_SEVERITY) || buf.subarray(start + 5, start + 10).equals(LOG_SEVERITY))
}

// PGlite runs its backend with client_min_messages=debug3 from the command
// line; neither startup options nor ALTER ROLE reach it, and RESET ALL (so
// Npgsql's DISCARD ALL) goes back to it. A server at the default level
// (notice) never sends DEBUG or LOG notices, so they are dropped here; the
// fast path returns the buffer untouched when there are none.
function withoutDebugNotices(buf) {
  let found = false
  for (const [, start] of backendMessages(buf)) {
    if (isBelowNotice(buf, start)) {
      found = true
      break
    }
  }
  if (!found) return buf
  const kept = []
  for (const [, start, end] of backendMessages(buf)) {
    if (!isBelowNotice(buf, start)) kept.push(buf.subarray(start, end))
  }
  return Buffer.concat(kept)
}

function withoutCopyInResponse(buf) {
  const kept = []
  for (const [type, start, end] of backendMessages(buf)) {
    if (type !== COPY_IN_RESPONSE) kept.push(buf.subarray(start, end))
  }
  return Buffer.concat(kept)
}

function firstCopyInResponse(buf) {
  for (const [type, start, end] of backendMessages(buf)) {
    if (type === COPY_IN_RESPONSE) return Buffer.from(buf.subarray(start, end))
  }
  return null
}

// True for a simple Query whose statement is COPY ... FROM STDIN. Only a
// statement that starts with COPY qualifies: the probe runs it, and a COPY
// that is failed by CopyFail leaves nothing behind.
export function isCopyFromStdin(sql) {
  const body = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '')
  return /^copy\b[\s\S]*\bfrom\s+stdin\b/i.test(body)
}

// A COPY FROM STDIN in the extended protocol would abort the engine the same
// way (its CopyData cannot arrive before the Execute returns), and collecting
// it is not worth it: no client we use sends one on purpose, but an
// NpgsqlCommand with COPY text does. Its Parse is turned into one that fails
// at parse time, so the engine itself reports the error, skips to the Sync
// and fails an enclosing transaction block, as for any other bad statement.
const EXTENDED_COPY_REFUSAL = 'SELECT * FROM "COPY FROM STDIN needs the simple query protocol"'

function withoutExtendedCopy(msg) {
  const nameEnd = msg.indexOf(0, 5)
  const queryEnd = msg.indexOf(0, nameEnd + 1)
  if (nameEnd < 0 || queryEnd < 0 || !isCopyFromStdin(msg.toString('utf8', nameEnd + 1, queryEnd))) return msg
  const body = Buffer.concat([msg.subarray(5, nameEnd + 1), cstring(EXTENDED_COPY_REFUSAL), msg.subarray(queryEnd + 1)])
  return frontendMessage('P', body)
}

function isResetAll(sql) {
  return /^\s*(discard\s+all|reset\s+all)\s*;?\s*$/i.test(sql)
}

export class SerialEngine {
  #db
  #debug
  #tail = Promise.resolve()
  // Transaction status from the last ReadyForQuery: 'I' idle, 'T' in a
  // transaction block, 'E' in a failed one.
  #status = 'I'
  // An extended-protocol batch has started and its Sync has not run.
  #extended = false
  // A startup packet has been answered and the password has not come yet.
  #handshake = false
  // A COPY FROM STDIN being collected: its Query and the CopyData so far.
  #copy = null

  constructor(db, { debug = false } = {}) {
    this.#db = db
    this.#debug = debug
  }

  get waitReady() {
    return this.#db.waitReady
  }

  // The client that ran last keeps the backend while this is true.
  isInTransaction() {
    return this.#status !== 'I' || this.#extended || this.#handshake || this.#copy !== null
  }

  runExclusive(fn) {
    const run = this.#tail.then(fn)
    this.#tail = run.catch(() => {})
    return run
  }

  async execProtocolRawStream(message, { onRawData }) {
    const msg = Buffer.from(message.buffer, message.byteOffset, message.byteLength)
    for (const chunk of this.#handle(msg)) {
      if (chunk.length > 0) onRawData(chunk)
    }
  }

  // Called by the socket server with 'ROLLBACK' when the client that owns
  // the backend disconnects: whatever it left open is abandoned, in the order
  // the backend needs (finish the COPY, the handshake, the batch, then the
  // transaction), so the next client starts from an idle session.
  async exec(_sql) {
    await this.runExclusive(async () => {
      if (this.#copy !== null) {
        const { query } = this.#copy
        this.#copy = null
        this.#run(Buffer.concat([query, copyFail('client disconnected')]))
      }
      if (this.#handshake) this.#run(password())
      if (this.#extended) {
        // Sync alone would COMMIT the batch's implicit transaction, which a
        // real server aborts when its client goes away. ROLLBACK aborts it
        // (an implicit block counts as "no transaction in progress" and is
        // rolled back); after an error the backend skips the ROLLBACK up to
        // the Sync, and the transaction is already aborted.
        this.#run(Buffer.concat([simpleQuery('ROLLBACK'), sync()]))
      }
      if (this.#status !== 'I') this.#run(simpleQuery('ROLLBACK'))
      this.#log(`abandoned session state of a disconnected client, status ${this.#status}`)
    })
  }

  #handle(msg) {
    if (isStartup(msg)) {
      this.#handshake = true
      return [this.#run(msg)]
    }
    const type = String.fromCharCode(msg[0])
    if (this.#copy !== null) {
      switch (type) {
        case 'd':
          this.#copy.chunks.push(Buffer.from(msg))
          return []
        case 'c':
        case 'f': {
          const { query, chunks } = this.#copy
          this.#copy = null
          return [withoutCopyInResponse(this.#run(Buffer.concat([query, ...chunks, msg])))]
        }
        default:
          // PostgreSQL ignores Flush and Sync during COPY IN.
          return []
      }
    }
    if (isEmptyPassword(msg)) {
      this.#handshake = true
      return [this.#run(password())]
    }
    if (type === 'X') {
      // Terminate: the socket closes next. The one backend serves every
      // other client, so it must not see the message.
      return []
    }
    if (msg[0] === SIMPLE_QUERY && isCopyFromStdin(msg.toString('utf8', 5, msg.length - 1))) {
      const copyIn = this.#probeCopy(msg)
      if (copyIn !== null) {
        this.#copy = { query: Buffer.from(msg), chunks: [] }
        return [copyIn]
      }
      // The COPY fails before it reads input (no such table, aborted
      // transaction...): run it as is and let the client see that error.
    }
    if (EXTENDED.has(type)) this.#extended = true
    const out = this.#run(type === 'P' ? withoutExtendedCopy(msg) : msg)
    if (msg[0] === SIMPLE_QUERY && isResetAll(msg.toString('utf8', 5, msg.length - 1))) {
      // PGlite's reset values are its own start-up settings, among them
      // search_path=pg_catalog, where a server's is "$user", public: after
      // Npgsql's DISCARD ALL (a pooled connection's reset) unqualified names
      // would no longer find public, where CREATE EXTENSION put TimescaleDB.
      this.#run(simpleQuery(`SET search_path TO "$user", public`))
    }
    return [out]
  }

  // Runs the COPY and fails it in the same call, keeping only its
  // CopyInResponse. Inside a transaction block a savepoint keeps the block
  // usable; outside one the COPY is its own transaction and rolls back.
  #probeCopy(query) {
    if (this.#status === 'E') return null
    const inBlock = this.#status === 'T'
    const parts = []
    if (inBlock) parts.push(simpleQuery('SAVEPOINT eventide_copy_probe'))
    parts.push(query, copyFail('probe'))
    if (inBlock) {
      parts.push(simpleQuery('ROLLBACK TO SAVEPOINT eventide_copy_probe; RELEASE SAVEPOINT eventide_copy_probe'))
    }
    return firstCopyInResponse(this.#run(Buffer.concat(parts)))
  }

  #run(msg) {
    let data
    try {
      data = this.#db.execProtocolRawSync(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength))
    } catch (err) {
      // The WebAssembly module does not survive an abort: every later call
      // would fail too, so stop and let the test run see a dead server.
      console.error('timescale engine crashed:', err)
      process.exit(70)
    }
    // The engine reuses its receive buffer on the next call.
    const out = withoutDebugNotices(Buffer.from(data))
    const status = lastReadyStatus(out)
    if (status !== null) {
      this.#status = status
      this.#extended = false
      this.#handshake = false
    }
    this.#log(`ran ${msg.length} bytes (${isStartup(msg) ? 'startup' : String.fromCharCode(msg[0])}), answered ${out.length}, status ${this.#status}`)
    return out
  }

  #log(text) {
    if (this.#debug) console.log(`[SerialEngine] ${text}`)
  }
}
