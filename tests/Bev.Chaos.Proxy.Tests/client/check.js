// Uses the published Toxiproxy client, unchanged, against our API: create a proxy, add, update
// and remove a toxic, list, and delete. Prints one JSON line with what it saw.
const { Toxiproxy } = require("toxiproxy-node-client");

async function main() {
  const [api, upstream] = process.argv.slice(2);
  const toxiproxy = new Toxiproxy(api);
  const proxy = await toxiproxy.createProxy({ name: "node_client", listen: "127.0.0.1:0", upstream });
  const toxic = await proxy.addToxic({ type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 250, jitter: 5 } });
  await toxic.update({ attributes: { latency: 300 } });
  const fetched = await (await toxiproxy.get(proxy.name)).getToxic(toxic.name);
  const version = await toxiproxy.getVersion();
  const all = await toxiproxy.getAll();
  await toxic.remove();
  let removed = false;
  try {
    await proxy.getToxic(toxic.name);
  } catch (error) {
    removed = true;
  }
  await proxy.remove();
  console.log(JSON.stringify({
    listen: proxy.listen,
    toxic: toxic.name,
    latency: fetched.attributes.latency,
    removed,
    proxies: Object.keys(all),
    version,
  }));
}

main().catch((error) => {
  console.error(error && error.response ? JSON.stringify(error.response.data) : String(error));
  process.exit(1);
});
