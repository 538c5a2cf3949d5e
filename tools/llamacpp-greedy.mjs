// node greedy.mjs MODEL STEPS PROMPT [--ids "1 2 3"] [--logits OUT.f32]: what
// llama.cpp does greedily on MODEL, in the format of ../shared/reference/gguf
// (see tools/llamacpp-greedy.sh). PROMPT is text (tokenized with special
// tokens parsed, BOS/EOS added by the model's rule; "@FILE" means FILE's bytes)
// unless --ids gives the prompt's token ids, used as they are.
//
// node-llama-cpp gives no logits, only probabilities: controlledEvaluate()'s
// generateNext {token, probabilities} at temperature 0 runs llama.cpp's greedy
// sampler over the whole vocabulary, and its addon returns softmax(logits) in
// float32. So MARGIN = ln p1 - ln p2, which is the top-1 minus top-2 logit
// (to float32 rounding). --logits writes real logits all the same: ln p is
// the logit minus an unknown constant C, recovered by evaluating the prompt a
// second time with llama.cpp's repeat penalty (r = 2) on two tokens t and b:
// that sampler divides a positive logit by r and multiplies a negative one by
// r, which is not shift invariant, so the change it makes to ln p_t and ln p_b
// (measured against the unpenalized tokens) gives l_t and l_b themselves; the
// signs are the pair that agrees with the known l_t - l_b. Tokens whose p
// underflows float32 (logit > ~87 below the top) lose precision; p = 0 is
// written as ln(1e-45) + C.
// Context: prompt + STEPS + 16, one thread, batch size 512 (the package's
// default), KV cache F32 (node-llama-cpp's experimentalKvCache{Key,Value}Type)
// and flash attention off: so the reference files were made (on an AVX2
// machine this gives their tinyllama/llama3 n32 logits to 1e-5; flash
// attention on moved them by up to 0.7, whatever the KV type).
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import fs from "node:fs";

const pos = [];
let ids = null, logitsOut = null;
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
    if (a[i] === "--ids") ids = a[++i].trim().split(/\s+/).filter(Boolean).map(Number);
    else if (a[i] === "--logits") logitsOut = a[++i];
    else pos.push(a[i]);
}
const [path, stepsArg, promptArg = ""] = pos;
const steps = +stepsArg;
const llama = await getLlama({gpu: false, logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: path, gpuLayers: 0, useMmap: true});

let prompt = ids;
if (!prompt) {
    const text = promptArg.startsWith("@") ? fs.readFileSync(promptArg.slice(1), "utf8") : promptArg;
    prompt = model.tokenize(text, true);   // common_tokenize(text, add_special=false, parse_special=true)
    if (model.tokens.shouldPrependBosToken && model.tokens.bos != null) prompt.unshift(model.tokens.bos);
    if (model.tokens.shouldAppendEosToken && model.tokens.eos != null) prompt.push(model.tokens.eos);
}

// A token's bytes as llama_token_to_piece(special=true) gives them: control,
// unknown and user-defined tokens as their text, byte tokens as the byte,
// normal ones with SentencePiece's U+2581 as space or GPT-2's byte mapping undone.
const gpt2 = new Map();
{
    const bs = [];
    for (let b = 0; b < 256; b++) if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) bs.push(b);
    let n = 0;
    for (let b = 0; b < 256; b++) gpt2.set(bs.includes(b) ? b : 256 + n++, b);
}
function piece(tok) {
    const text = model._model.getTokenString(tok);   // llama_vocab_get_text (internal binding)
    const at = model.getTokenAttributes(tok);
    if (at.control || at.unknown || at.userDefined) return Buffer.from(text);
    if (model.vocabularyType === "bpe") {
        if (!at.normal) return Buffer.alloc(0);
        return Buffer.concat([...text].map(c => gpt2.has(c.codePointAt(0)) ? Buffer.of(gpt2.get(c.codePointAt(0))) : Buffer.from(c)));
    }
    if (at.byte) return Buffer.of(parseInt(text.slice(3, -1), 16));   // "<0xHH>"
    return at.normal ? Buffer.from(text.replaceAll("\u2581", " ")) : Buffer.alloc(0);
}

const context = await model.createContext({
    contextSize: prompt.length + steps + 16, threads: 1, flashAttention: false,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"
});
const seq = context.getSequence();
// evaluate tokens, the last one asking for the next token (greedy) and all probabilities
async function step(tokens, repeatPenalty) {
    const last = [tokens.at(-1), {generateNext: {token: true, probabilities: true, options: {temperature: 0, repeatPenalty}}}];
    const res = await seq.controlledEvaluate([...tokens.slice(0, -1), last]);
    return res.at(-1).next;
}
const lnp = (probs, V) => {   // ln p for every token id
    const a = new Float64Array(V).fill(Math.log(1e-45));
    for (const [t, p] of probs) if (p > 0) a[t] = Math.log(p);
    return a;
};

const out = [Buffer.from(`prompt ${prompt.join(" ")}\n`)];
let next = await step(prompt);
if (logitsOut) {
    const V = next.probabilities.size;              // the whole vocabulary (greedy keeps every candidate)
    const A = lnp(next.probabilities, V);
    const order = [...next.probabilities.keys()];   // sorted by p, highest first
    const t = order[0];
    let b = order[1];                                // the lowest token still far from underflow
    for (const j of order) if (A[j] > A[t] - 60) b = j;
    await seq.clearHistory();
    const B = lnp((await step(prompt, {punishTokens: [t, b], penalty: 2})).probabilities, V);
    const anchor = order.find(j => j !== t && j !== b);
    const shift = B[anchor] - A[anchor];               // C - C'
    const dt = B[t] - A[t] - shift, db = B[b] - A[b] - shift;   // penalized minus plain logit
    const cand = d => [-2 * d, d];                     // l > 0: l/2 - l = d; l <= 0: 2l - l = d
    let best = null;
    for (const lt of cand(dt)) for (const lb of cand(db)) {
        const err = Math.abs((lt - lb) - (A[t] - A[b]));
        if (!best || err < best.err) best = {err, C: lt - A[t]};
    }
    const f = new Float32Array(V);
    for (let i = 0; i < V; i++) f[i] = A[i] + best.C;
    fs.writeFileSync(logitsOut, Buffer.from(f.buffer));
    if (best.err > 1e-3) console.error(`warning: logit offset uncertain (mismatch ${best.err})`);
}
let text = [], cut = false;
for (let n = 0; n < steps; n++) {
    const tok = next.token;
    let p1 = 0, p2 = 0;
    for (const [t, p] of next.probabilities) if (t === tok) p1 = p; else if (p > p2) p2 = p;
    const bytes = piece(tok);
    out.push(Buffer.from(`${tok}\t${(Math.log(p1) - Math.log(p2)).toFixed(4)}\t${bytes.toString("hex")}\n`));
    if (model.getTokenAttributes(tok).control) cut = true;   // the text stops at a control token
    if (!cut) text.push(bytes);
    if (model.isEogToken(tok) || n + 1 === steps) break;     // llama.cpp stops at end of generation
    next = await step([tok]);
}
out.push(Buffer.from("text\t"), ...text, Buffer.from("\n"));
process.stdout.write(Buffer.concat(out));
await context.dispose();
await model.dispose();
