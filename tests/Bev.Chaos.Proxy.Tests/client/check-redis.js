// Uses the published Toxiproxy client, unchanged, to add a Redis protocol toxic: a proxy with
// protocol "redis" (the client passes the body on as given), a redis_error toxic, then an update
// of its toxicity. Prints one JSON line with the proxy and the toxic as the API returned them.
const { Toxiproxy } = require("toxiproxy-node-client");

async function main() {
  const [api, upstream] = process.argv.slice(2);
  const toxiproxy = new Toxiproxy(api);
  const proxy = await toxiproxy.createProxy({ name: "node_redis", listen: "127.0.0.1:0", upstream, protocol: "redis" });
  const toxic = await proxy.addToxic({
    type: "redis_error",
    stream: "downstream",
    toxicity: 0.5,
    attributes: { commands: ["GET"], key: "node:*", error: "LOADING", seed: 42 },
  });
  await toxic.update({ toxicity: 1, attributes: {} });
  const fetched = await (await toxiproxy.get(proxy.name)).getToxic(toxic.name);
  console.log(JSON.stringify({ listen: proxy.listen, toxic: toxic.name, type: fetched.type, toxicity: fetched.toxicity, attributes: fetched.attributes }));
}

main().catch((error) => {
  console.error(error && error.response ? JSON.stringify(error.response.data) : String(error));
  process.exit(1);
});
