// node bench.mjs MODEL THREADS PP TG: one line of llama.cpp's speed on MODEL
// (see tools/bench-llamacpp.sh): a PP-token prompt as one batch, then TG
// tokens after it one decode each, best of three runs each.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
const [path, threadsArg, ppArg, tgArg] = process.argv.slice(2);
const threads = +threadsArg, pp = +ppArg, tg = +tgArg;
const llama = await getLlama({gpu: false, logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: path, gpuLayers: 0, useMmap: true});
const context = await model.createContext({contextSize: pp + tg + 16, threads, batchSize: 512});
const seq = context.getSequence();
const prompt = [model.tokens.bos ?? 1];
for (let i = 1; i < pp; i++) prompt.push(3 + (i * 7919) % 20000);   // as tools/bench.c's prompt
let bestPp = 0, bestTg = 0;
for (let run = 0; run < 3; run++) {
    await seq.clearHistory();
    let t0 = process.hrtime.bigint();
    await seq.evaluateWithoutGeneratingNewTokens(prompt);
    bestPp = Math.max(bestPp, pp / (Number(process.hrtime.bigint() - t0) / 1e9));
    // generation as llama-bench's tg measures it: one token per decode, no sampling
    t0 = process.hrtime.bigint();
    for (let i = 0; i < tg; i++) await seq.evaluateWithoutGeneratingNewTokens([3 + (i * 104729) % 20000]);
    bestTg = Math.max(bestTg, tg / (Number(process.hrtime.bigint() - t0) / 1e9));
}
const name = path.split("/").pop();
console.log(`${name.padEnd(28)} ${String(threads).padStart(5)} ${bestPp.toFixed(1).padStart(9)} ${bestTg.toFixed(1).padStart(9)}`);
await context.dispose();
await model.dispose();
