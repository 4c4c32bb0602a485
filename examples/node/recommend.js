#!/usr/bin/env node
// Calls ranking.v1.MixerService/Recommend from Node (@grpc/grpc-js) and pages through the feed.
// The API is loaded from the repository's proto/ at start (@grpc/proto-loader), so it always matches the
// server's.
//
//   (cd examples/node && npm ci) && node examples/node/recommend.js --target 127.0.0.1:9090 --user 42 --pages 3
//
// Exits 0 when every page came back non-empty and no item repeated across pages; 1 otherwise.
'use strict';
const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');

function parseArgs(argv) {
  const args = { target: '127.0.0.1:9090', user: '42', pages: 3, pageSize: 10, deadlineMs: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split('=');
    const value = inline !== undefined ? inline : argv[++i];
    switch (key) {
      case '--target': args.target = value; break;
      case '--user': args.user = value; break;
      case '--pages': args.pages = Number(value); break;
      case '--page-size': args.pageSize = Number(value); break;
      case '--deadline-ms': args.deadlineMs = Number(value); break;
      default: throw new Error(`unknown argument ${key} (use --target, --user, --pages, --page-size, --deadline-ms)`);
    }
  }
  return args;
}

function recommend(client, request, deadlineMs, requestId) {
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', requestId);
  return new Promise((resolve, reject) => {
    client.Recommend(request, metadata, { deadline: Date.now() + deadlineMs }, (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // longs as strings: item ids are uint64 and do not fit a JS number.
  const definition = protoLoader.loadSync('ranking/v1/mixer.proto', {
    includeDirs: [PROTO_ROOT], longs: String, enums: String, defaults: true, keepCase: true,
  });
  const ranking = grpc.loadPackageDefinition(definition).ranking.v1;
  const client = new ranking.MixerService(args.target, grpc.credentials.createInsecure());
  const seen = new Set();
  let token = '';
  try {
    for (let page = 1; page <= args.pages; page++) {
      const requestId = `node-${crypto.randomUUID()}`;
      let resp;
      try {
        resp = await recommend(client, { context: { user_id: args.user }, page_size: args.pageSize, page_token: token },
          args.deadlineMs, requestId);
      } catch (err) {
        console.error(`page ${page}: ${grpc.status[err.code]}: ${err.details}`);
        return 1;
      }
      const kinds = {};
      for (const item of resp.items) {
        const kind = item.kind.replace('ITEM_KIND_', '').toLowerCase();
        kinds[kind] = (kinds[kind] || 0) + 1;
        if (seen.has(item.item_id)) {
          console.error(`page ${page}: item ${item.item_id} was served on an earlier page`);
          return 1;
        }
        seen.add(item.item_id);
      }
      console.log(`page ${page}: ${resp.items.length} items ${JSON.stringify(kinds)} request_id=${resp.request_id}` +
        ` snapshot=${resp.versions.snapshot_version} degraded=${resp.degraded}`);
      for (const item of resp.items.slice(0, 3)) {
        console.log(`  #${item.position} ${item.item_id} ${JSON.stringify(item.title)} value=${item.value.toFixed(3)}`);
      }
      if (resp.items.length === 0) {
        console.error(`page ${page}: empty`);
        return 1;
      }
      token = resp.next_page_token;
    }
  } finally {
    client.close();
  }
  console.log(`ok: ${seen.size} distinct items over ${args.pages} pages`);
  return 0;
}

main().then((code) => process.exit(code), (err) => { console.error(err.message); process.exit(1); });
