// Uses the published Toxiproxy client, unchanged, to add an HTTP protocol toxic: a proxy with
// protocol "http" (the client passes the body on as given) and an http_abort toxic with a
// header map. Prints one JSON line with the proxy and the toxic as the API returned them.
const { Toxiproxy } = require("toxiproxy-node-client");

async function main() {
  const [api, upstream] = process.argv.slice(2);
  const toxiproxy = new Toxiproxy(api);
  const proxy = await toxiproxy.createProxy({ name: "node_http", listen: "127.0.0.1:0", upstream, protocol: "http" });
  const toxic = await proxy.addToxic({
    type: "http_abort",
    stream: "downstream",
    toxicity: 1,
    attributes: { method: "GET", path: "/api/*", status: 503, body: "from node", headers: { "Retry-After": "7" }, seed: 42 },
  });
  const fetched = await (await toxiproxy.get(proxy.name)).getToxic(toxic.name);
  console.log(JSON.stringify({ listen: proxy.listen, protocol: proxy.protocol, toxic: toxic.name, type: fetched.type, toxicity: fetched.toxicity, attributes: fetched.attributes }));
}

main().catch((error) => {
  console.error(error && error.response ? JSON.stringify(error.response.data) : String(error));
  process.exit(1);
});
