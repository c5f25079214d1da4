// One chat user on AWS's own client (amazon-ivs-chat-messaging, unmodified), driven by
// JSON lines: commands on stdin, what the room reports on stdout.
//
//   node agent.js WS_URL            e.g. ws://127.0.0.1:4510
//
// stdin:  {"cmd":"connect","token":T,"tokenExpirationTime":ISO,"sessionExpirationTime":ISO}
//         {"cmd":"send","content":C,"attributes":{...}}        -> "sent" or "rejected"
//         {"cmd":"delete","id":I,"reason":R}                    -> "deleted" or "rejected"
//         {"cmd":"disconnectUser","userId":U,"reason":R}        -> "disconnectedUser" or "rejected"
//         {"cmd":"quit"}
// stdout: {"ev":"connect"} {"ev":"disconnect","reason":R} {"ev":"message","message":M}
//         {"ev":"event","event":E} {"ev":"messageDelete","event":E} {"ev":"userDisconnect","event":E}
//         plus the answers above, each with the command's "tag" when it had one.
'use strict';

const readline = require('node:readline');
const { ChatRoom, SendMessageRequest, DeleteMessageRequest, DisconnectUserRequest } =
  require('amazon-ivs-chat-messaging');

// Node 20 has no WebSocket global; Node 22 and later have one. The SDK calls
// `new WebSocket(url, token)`, which the ws package accepts as is.
if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = require('ws');
}

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node agent.js WS_URL\n');
  process.exit(2);
}

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const errorOf = (e) => ({
  errorCode: e.errorCode,
  errorMessage: e.errorMessage ?? String(e.message ?? e),
  id: e.id,
  requestId: e.requestId,
});

let room = null;

function connect(cmd) {
  const token = {
    token: cmd.token,
    tokenExpirationTime: cmd.tokenExpirationTime,
    sessionExpirationTime: cmd.sessionExpirationTime,
  };
  room = new ChatRoom({ regionOrUrl: url, tokenProvider: async () => token, maxReconnectAttempts: 0 });
  room.logLevel = 'error';
  room.logger = { debug() {}, info() {}, error: (...a) => process.stderr.write(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ') + '\n') };
  room.addListener('connect', () => out({ ev: 'connect' }));
  room.addListener('disconnect', (reason) => out({ ev: 'disconnect', reason }));
  room.addListener('message', (message) => out({ ev: 'message', message }));
  room.addListener('event', (event) => out({ ev: 'event', event }));
  room.addListener('messageDelete', (event) => out({ ev: 'messageDelete', event }));
  room.addListener('userDisconnect', (event) => out({ ev: 'userDisconnect', event }));
  room.connect();
}

async function run(cmd) {
  const tag = cmd.tag;
  try {
    switch (cmd.cmd) {
      case 'connect':
        connect(cmd);
        return;
      case 'send': {
        const m = await room.sendMessage(new SendMessageRequest(cmd.content, cmd.attributes));
        out({ ev: 'sent', tag, message: m });
        return;
      }
      case 'delete': {
        const e = await room.deleteMessage(new DeleteMessageRequest(cmd.id, cmd.reason));
        out({ ev: 'deleted', tag, event: e });
        return;
      }
      case 'disconnectUser': {
        const e = await room.disconnectUser(new DisconnectUserRequest(cmd.userId, cmd.reason));
        out({ ev: 'disconnectedUser', tag, event: e });
        return;
      }
      case 'quit':
        if (room) room.disconnect();
        setTimeout(() => process.exit(0), 50);
        return;
      default:
        out({ ev: 'bad', tag, error: `unknown cmd ${cmd.cmd}` });
    }
  } catch (e) {
    out({ ev: 'rejected', tag, error: errorOf(e) });
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === '') return;
  run(JSON.parse(line));
});
rl.on('close', () => {
  if (room) room.disconnect();
  setTimeout(() => process.exit(0), 50);
});
