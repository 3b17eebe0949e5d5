#include "convert/hf_tokenizer.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "convert/sentencepiece_model.h"
#include "core/text_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/vocab.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The pre-tokenizer regexes of tokenizer.json, by the name llama.cpp gives them in GGUF.
struct KnownPreTokenizer {
    const char* name;
    const char* regex;
};
constexpr KnownPreTokenizer kPreTokenizers[] = {
    {"llama-bpe",
     "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
     "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
    {"gpt2", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"},
};

Result<json> read_json(const fs::path& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    try {
        return json::parse(*text);
    } catch (const json::exception& e) {
        return Error{path.filename().string() + " is not valid JSON (" + std::string(e.what()) + ")"};
    }
}

// The Split regexes found anywhere in the pre_tokenizer tree.
void collect_regexes(const json& node, std::vector<std::string>& out) {
    if (node.is_object()) {
        if (node.value("type", "") == "Split" && node.contains("pattern") && node["pattern"].contains("Regex") &&
            node["pattern"]["Regex"].is_string())
            out.push_back(node["pattern"]["Regex"].get<std::string>());
        for (const auto& [k, v] : node.items()) collect_regexes(v, out);
    } else if (node.is_array()) {
        for (const auto& v : node) collect_regexes(v, out);
    }
}

Result<std::string> pre_tokenizer_name(const json& tok) {
    std::vector<std::string> regexes;
    if (tok.contains("pre_tokenizer")) collect_regexes(tok["pre_tokenizer"], regexes);
    if (regexes.empty() && tok.contains("pre_tokenizer") && tok["pre_tokenizer"].value("type", "") == "ByteLevel")
        return std::string("gpt2");  // ByteLevel with its built-in regex
    for (const auto& r : regexes)
        for (const auto& known : kPreTokenizers)
            if (r == known.regex) return std::string(known.name);
    return Error{"tokenizer.json: the pre-tokenizer " +
                 (regexes.empty() ? std::string("(none found)") : "regex " + regexes.front()) +
                 " is not one Tessera knows (llama-bpe, gpt2)"};
}

// The BOS token the post-processor adds, if it adds one.
std::optional<std::string> post_processor_bos(const json& tok) {
    std::vector<const json*> stack;
    if (tok.contains("post_processor")) stack.push_back(&tok["post_processor"]);
    while (!stack.empty()) {
        const json& node = *stack.back();
        stack.pop_back();
        if (node.is_object() && node.value("type", "") == "TemplateProcessing" && node.contains("single") &&
            node["single"].is_array() && !node["single"].empty() && node["single"][0].contains("SpecialToken"))
            return node["single"][0]["SpecialToken"].value("id", "");
        if (node.is_object() && node.contains("processors") && node["processors"].is_array())
            for (const auto& p : node["processors"]) stack.push_back(&p);
    }
    return std::nullopt;
}

std::optional<std::string> token_text(const json& config, const char* key) {
    if (!config.contains(key)) return std::nullopt;
    const json& v = config[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return std::nullopt;
}

Result<json> read_tokenizer_config(const fs::path& dir) {
    if (!fs::exists(dir / "tokenizer_config.json")) return json::object();
    return read_json(dir / "tokenizer_config.json");
}

void read_chat_template(const json& tok_config, HfTokenizer& out) {
    if (!tok_config.contains("chat_template")) return;
    const json& t = tok_config["chat_template"];
    if (t.is_string()) out.chat_template = t.get<std::string>();
    if (t.is_array())  // named templates: the default one
        for (const auto& named : t)
            if (named.value("name", "") == "default" && named.contains("template"))
                out.chat_template = named["template"].get<std::string>();
}

Result<HfTokenizer> read_sentencepiece(const fs::path& dir, const HfConfig& config) {
    std::ifstream in(dir / "tokenizer.model", std::ios::binary);
    if (!in) return Error{"cannot read " + (dir / "tokenizer.model").string()};
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto sp = parse_sentencepiece_model(bytes);
    if (!sp) return sp.error();
    if (static_cast<int64_t>(sp->pieces.size()) > config.n_vocab)
        return Error{"tokenizer.model has " + std::to_string(sp->pieces.size()) + " pieces, more than vocab_size " +
                     std::to_string(config.n_vocab)};
    HfTokenizer out;
    out.model = "llama";
    for (const auto& p : sp->pieces) {
        out.tokens.push_back(p.text);
        out.scores.push_back(p.score);
        out.token_types.push_back(p.type);
    }
    for (auto i = static_cast<int64_t>(out.tokens.size()); i < config.n_vocab; ++i) {
        out.tokens.push_back("[PAD" + std::to_string(i) + "]");
        out.scores.push_back(-1000.0f);
        out.token_types.push_back(static_cast<int32_t>(TokenType::kUserDefined));
    }
    out.bos_id = config.bos_id ? config.bos_id : sp->bos_id;
    out.eos_id = !config.eos_ids.empty() ? std::optional(config.eos_ids.front()) : sp->eos_id;
    out.unk_id = sp->unk_id;
    out.add_space_prefix = sp->add_dummy_prefix;
    auto tok_config = read_tokenizer_config(dir);
    if (!tok_config) return tok_config.error();
    out.add_bos = tok_config->value("add_bos_token", true);
    read_chat_template(*tok_config, out);
    return out;
}

}  // namespace

Result<HfTokenizer> read_hf_tokenizer(const std::string& folder, const HfConfig& config) {
    const fs::path dir(folder);
    if (fs::exists(dir / "tokenizer.model")) return read_sentencepiece(dir, config);
    if (!fs::exists(dir / "tokenizer.json"))
        return Error{folder + " has neither tokenizer.model (SentencePiece) nor tokenizer.json (BPE)"};
    auto tok = read_json(dir / "tokenizer.json");
    if (!tok) return tok.error();
    if (!tok->contains("model") || (*tok)["model"].value("type", "") != "BPE")
        return Error{"tokenizer.json: only byte-level BPE models can be converted"};
    const json& model = (*tok)["model"];
    if (!model.contains("vocab") || !model["vocab"].is_object() || !model.contains("merges") ||
        !model["merges"].is_array())
        return Error{"tokenizer.json: the BPE model needs a vocab object and a merges list"};

    HfTokenizer out;
    auto pre = pre_tokenizer_name(*tok);
    if (!pre) return pre.error();
    out.pre = *pre;

    // Ids come from the vocab and the added tokens; gaps and the padding up to the
    // model's vocab_size become unused tokens.
    const auto n = static_cast<size_t>(config.n_vocab);
    out.tokens.assign(n, {});
    out.token_types.assign(n, static_cast<int32_t>(TokenType::kUnused));
    std::vector<bool> filled(n, false);
    auto place = [&](int64_t id, const std::string& text, TokenType type) -> Status {
        if (id < 0 || static_cast<size_t>(id) >= n)
            return Error{"tokenizer.json: token id " + std::to_string(id) + " ('" + text +
                         "') is outside the model's vocab_size " + std::to_string(n)};
        out.tokens[static_cast<size_t>(id)] = text;
        out.token_types[static_cast<size_t>(id)] = static_cast<int32_t>(type);
        filled[static_cast<size_t>(id)] = true;
        return {};
    };
    for (const auto& [text, id] : model["vocab"].items()) {
        if (!id.is_number_integer()) return Error{"tokenizer.json: the id of '" + text + "' is not a number"};
        TESSERA_TRY(place(id.get<int64_t>(), text, TokenType::kNormal));
    }
    if (tok->contains("added_tokens") && (*tok)["added_tokens"].is_array())
        for (const auto& added : (*tok)["added_tokens"]) {
            if (!added.contains("id") || !added.contains("content") || !added["content"].is_string())
                return Error{"tokenizer.json: an added token lacks its id or content"};
            TESSERA_TRY(place(added["id"].get<int64_t>(), added["content"].get<std::string>(),
                              added.value("special", false) ? TokenType::kControl : TokenType::kUserDefined));
        }
    for (size_t i = 0; i < n; ++i)
        if (!filled[i]) out.tokens[i] = "[PAD" + std::to_string(i) + "]";

    out.merges.reserve(model["merges"].size());
    for (const auto& m : model["merges"]) {
        if (m.is_string()) {
            out.merges.push_back(m.get<std::string>());
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            out.merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
        } else {
            return Error{"tokenizer.json: a merge is neither \"a b\" nor [\"a\", \"b\"]"};
        }
    }

    auto id_of = [&](const std::string& text) -> std::optional<int64_t> {
        for (size_t i = 0; i < n; ++i)
            if (filled[i] && out.tokens[i] == text) return static_cast<int64_t>(i);
        return std::nullopt;
    };
    auto read_config = read_tokenizer_config(dir);
    if (!read_config) return read_config.error();
    const json& tok_config = *read_config;
    if (auto t = token_text(tok_config, "bos_token")) out.bos_id = id_of(*t);
    if (!out.bos_id) out.bos_id = config.bos_id;
    if (auto t = token_text(tok_config, "eos_token")) out.eos_id = id_of(*t);
    if (!out.eos_id && !config.eos_ids.empty()) out.eos_id = config.eos_ids.front();
    const auto bos_added = post_processor_bos(*tok);
    out.add_bos = tok_config.value("add_bos_token", bos_added.has_value());
    read_chat_template(tok_config, out);
    return out;
}

void HfTokenizer::write_to(GgufWriter& w) const {
    w.set_string("tokenizer.ggml.model", model);
    if (!pre.empty()) w.set_string("tokenizer.ggml.pre", pre);
    w.set_string_array("tokenizer.ggml.tokens", tokens);
    if (!scores.empty()) w.set_f32_array("tokenizer.ggml.scores", scores);
    w.set_i32_array("tokenizer.ggml.token_type", token_types);
    if (!merges.empty()) w.set_string_array("tokenizer.ggml.merges", merges);
    if (bos_id) w.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(*bos_id));
    if (eos_id) w.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(*eos_id));
    if (unk_id) w.set_u32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(*unk_id));
    w.set_bool("tokenizer.ggml.add_bos_token", add_bos);
    if (add_space_prefix) w.set_bool("tokenizer.ggml.add_space_prefix", *add_space_prefix);
    if (chat_template) w.set_string("tokenizer.chat_template", *chat_template);
}

}  // namespace tessera
