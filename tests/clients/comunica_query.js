// Run a SELECT, an ASK and a CONSTRUCT against a SPARQL endpoint with Comunica
// (@comunica/query-sparql, resolved through NODE_PATH) and print one JSON object.
const { QueryEngine } = require('@comunica/query-sparql');

const [endpoint, select, ask, construct] = process.argv.slice(2);

(async () => {
  const engine = new QueryEngine();
  // type "sparql": Comunica sends the whole query to the endpoint.
  const context = { sources: [{ type: 'sparql', value: endpoint }] };
  const rows = await (await engine.queryBindings(select, context)).toArray();
  const quads = await (await engine.queryQuads(construct, context)).toArray();
  const out = {
    select: rows.map((b) => Object.fromEntries([...b].map(([k, v]) => [k.value, v.value]))),
    ask: await engine.queryBoolean(ask, context),
    construct: quads.map((q) => [q.subject.value, q.predicate.value, q.object.value]),
  };
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
