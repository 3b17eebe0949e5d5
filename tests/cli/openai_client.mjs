// Drives `tessera-cli serve` with the official `openai` npm package (a client nobody here
// wrote): a non-streaming and a streaming chat completion, a text completion, the model
// list, and a wrong key. Prints "ok NAME" / "FAIL NAME: detail"; exits 1 on any failure.
//   node openai_client.mjs BASE_URL TOKEN NPM_PREFIX
import { createRequire } from "node:module";
import path from "node:path";

const [baseURL, token, prefix] = process.argv.slice(2);
const require = createRequire(path.join(prefix, "node_modules", "index.js"));
const OpenAI = require("openai");

let failures = 0;
function check(name, condition, detail) {
  if (condition) console.log(`ok   ${name}`);
  else { failures++; console.log(`FAIL ${name}: ${detail}`); }
}
const usageOk = (u) => u && u.prompt_tokens > 0 && u.completion_tokens > 0 &&
  u.total_tokens === u.prompt_tokens + u.completion_tokens;

const client = new OpenAI({ baseURL, apiKey: token, maxRetries: 0 });

const models = await client.models.list();
const ids = models.data.map((m) => m.id);
check("models.list names the model", ids.length === 1 && ids[0] === "aidreams260K-f32", JSON.stringify(ids));
const model = ids[0];

const messages = [{ role: "user", content: "I dream" }];
const reply = await client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0.7, seed: 3 });
const text = reply.choices[0].message.content;
check("chat completion has text", typeof text === "string" && text.length > 0, JSON.stringify(reply));
check("chat completion usage consistent", usageOk(reply.usage) && reply.usage.completion_tokens <= 12, JSON.stringify(reply.usage));
check("chat completion finish_reason", ["stop", "length"].includes(reply.choices[0].finish_reason), reply.choices[0].finish_reason);

const stream = await client.chat.completions.create({
  model, messages, max_tokens: 10, stream: true, stream_options: { include_usage: true },
});
let streamed = "", finish = null, usage = null, chunks = 0;
for await (const chunk of stream) {  // ends only when the client has read data: [DONE]
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  const choice = chunk.choices[0];
  if (!choice) continue;
  streamed += choice.delta?.content ?? "";
  if (choice.finish_reason) finish = choice.finish_reason;
}
check("stream has text", streamed.length > 0, `${chunks} chunks`);
check("stream finished", finish === "stop" || finish === "length", String(finish));
check("stream usage consistent", usageOk(usage) && usage.completion_tokens <= 10, JSON.stringify(usage));

const completion = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 6 });
check("text completion", completion.choices[0].text.length > 0 && usageOk(completion.usage), JSON.stringify(completion));

try {
  await new OpenAI({ baseURL, apiKey: "wrong-key-0123456789", maxRetries: 0 }).models.list();
  check("wrong key refused", false, "no error");
} catch (e) {
  check("wrong key refused", e instanceof OpenAI.AuthenticationError && e.status === 401, `${e.status} ${e.message}`);
}
try {
  await client.chat.completions.create({ model, messages, temperature: 5 });
  check("bad temperature refused", false, "no error");
} catch (e) {
  check("bad temperature refused", e instanceof OpenAI.BadRequestError && e.param === "temperature", `${e.status} ${e.message}`);
}

console.log(failures === 0 ? "all passed" : `${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
