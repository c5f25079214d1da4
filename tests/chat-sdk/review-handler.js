// A message review handler for tests, on Node's own HTTP server: stands in for the Lambda
// function that ivschat-local's --review-handler maps a room's handler ARN to.
//
//   node review-handler.js        prints http://127.0.0.1:PORT/review, then serves
//
// Answers DENY (Attributes.Reason "moderated") when the content contains "forbidden",
// otherwise ALLOW with the content unchanged.
'use strict';

const http = require('node:http');

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const deny = typeof body.Content === 'string' && body.Content.includes('forbidden');
    const answer = deny
      ? { ReviewResult: 'DENY', Attributes: { Reason: 'moderated' } }
      : { ReviewResult: 'ALLOW' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/review\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
