// A scoreterm protocol v1 client written against docs/protocol.md with Node.js and the `ws` package,
// to prove the protocol is usable outside Python. Run by tests/test_serve_resilience.py.
//
//   node ws_client.mjs ws://127.0.0.1:8765/v1/ws [TIMEOUT_MS] [CHANNEL]
//
// Connects, expects `welcome`, subscribes to CHANNEL (default league:fifa.world), expects a `snapshot`,
// then waits for an `event` frame (deltas and statuses may come first). Every frame received is printed
// to stdout as one JSON line. Exits 0 once an event arrived; on any failure (connection error, refusal,
// unexpected frame, close, timeout) prints one `ws_client: ...` line to stderr and exits 1. Usage
// errors exit 2.
import WebSocket from "ws";

const [url, timeoutArg = "15000", channel = "league:fifa.world"] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg);
if (!url || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
  console.error("usage: node ws_client.mjs WS_URL [TIMEOUT_MS] [CHANNEL]");
  process.exit(2);
}

let expecting = "welcome";

function fail(message) {
  console.error(`ws_client: ${message}`);
  process.exit(1);
}

const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms waiting for ${expecting}`), timeoutMs);
const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });

ws.on("unexpected-response", (_request, response) => fail(`upgrade refused: HTTP ${response.statusCode}`));
ws.on("error", (error) => fail(`connection error: ${error.message}`));
ws.on("close", (code, reason) => {
  if (expecting !== "done") {
    fail(`connection closed (${code} ${reason.toString()}) while waiting for ${expecting}`);
  }
});

ws.on("message", (data, isBinary) => {
  if (expecting === "done") return; // frames already in flight while our close goes out
  if (isBinary) fail("got a binary frame; the protocol uses text frames only");
  let frame;
  try {
    frame = JSON.parse(data.toString("utf8"));
  } catch (error) {
    fail(`frame is not JSON: ${error.message}`);
  }
  if (frame === null || typeof frame !== "object" || typeof frame.type !== "string" || frame.v !== 1) {
    fail(`not a v1 server frame: ${data.toString("utf8").slice(0, 200)}`);
  }
  process.stdout.write(`${JSON.stringify(frame)}\n`);
  if (frame.type === "error") fail(`server error ${frame.code}: ${frame.message}`);

  if (expecting === "welcome") {
    if (frame.type !== "welcome") fail(`expected welcome first, got ${frame.type}`);
    if (typeof frame.epoch !== "string" || typeof frame.heartbeat_s !== "number") fail("malformed welcome");
    expecting = "snapshot";
    ws.send(JSON.stringify({ op: "subscribe", channel }));
  } else if (expecting === "snapshot") {
    if (frame.type !== "snapshot") fail(`expected the snapshot of ${channel}, got ${frame.type}`);
    if (frame.channel !== channel || !Array.isArray(frame.matches)) fail("malformed snapshot");
    expecting = "event";
  } else if (expecting === "event" && frame.type === "event") {
    if (!Number.isInteger(frame.seq) || typeof frame.match_id !== "string" || !frame.event) {
      fail("malformed event: it needs match_id, an integer seq and the event");
    }
    expecting = "done";
    clearTimeout(timer);
    ws.close(1000, "done");
  }
});
