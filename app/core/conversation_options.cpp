#include "conversation_options.h"

#include <QCoreApplication>
#include <nlohmann/json.hpp>

#include "sampling/sampler.h"

namespace tessera::app {
namespace {

// One number field: its QML key, its JSON key, where it lives, and its allowed range.
struct Field {
    const char* qml;
    const char* json;
    std::optional<double> ConversationOptions::*real = nullptr;
    std::optional<int64_t> ConversationOptions::*integer = nullptr;
    double min, max;
};

constexpr double kMaxSeed = 4294967295.0;  // the seed box offers 32-bit seeds

const Field kFields[] = {
    {"temperature", "temperature", &ConversationOptions::temperature, nullptr, 0.0, 5.0},
    {"topP", "top_p", &ConversationOptions::top_p, nullptr, 0.0, 1.0},
    {"minP", "min_p", &ConversationOptions::min_p, nullptr, 0.0, 1.0},
    {"repeatPenalty", "repeat_penalty", &ConversationOptions::repeat_penalty, nullptr, 0.5, 2.0},
    {"topK", "top_k", nullptr, &ConversationOptions::top_k, 0, 1000},
    {"maxTokens", "max_tokens", nullptr, &ConversationOptions::max_tokens, 1, 1 << 20},
    {"seed", "seed", nullptr, &ConversationOptions::seed, 0, kMaxSeed},
    {"contextLength", "context_length", nullptr, &ConversationOptions::context_length, 0, 1 << 24},
};

Error out_of_range(const Field& f, double v) {
    return Error{QCoreApplication::translate("ConversationOptions", "%1 must be between %2 and %3 (got %4)")
                     .arg(QString::fromLatin1(f.qml))
                     .arg(f.min)
                     .arg(f.max)
                     .arg(v)
                     .toStdString()};
}

Status set_field(const Field& f, double v, ConversationOptions& o) {
    if (!(v >= f.min && v <= f.max)) return out_of_range(f, v);  // NaN fails too
    if (f.real)
        o.*f.real = v;
    else if (v != static_cast<double>(static_cast<int64_t>(v)))
        return Error{std::string(f.qml) + " must be a whole number"};
    else
        o.*f.integer = static_cast<int64_t>(v);
    return Status::success();
}

Result<std::optional<bool>> parse_reasoning(const std::string& text) {
    if (text.empty() || text == "default") return std::optional<bool>{};
    if (text == "on") return std::optional<bool>(true);
    if (text == "off") return std::optional<bool>(false);
    return Error{"reasoning must be on, off or default (got \"" + text + "\")"};
}

}  // namespace

Result<ConversationOptions> options_from_map(const QVariantMap& map) {
    ConversationOptions o;
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it.key() == QLatin1String("reasoning")) {
            auto r = parse_reasoning(it.value().toString().toStdString());
            if (!r) return r.error();
            o.reasoning = *r;
            continue;
        }
        const Field* field = nullptr;
        for (const Field& f : kFields)
            if (it.key() == QLatin1String(f.qml)) field = &f;
        if (!field) return Error{"unknown conversation setting " + it.key().toStdString()};
        if (it.value().isNull() || !it.value().isValid()) continue;  // back to the default
        bool ok = false;
        const double v = it.value().toDouble(&ok);
        if (!ok) return Error{std::string(field->qml) + " must be a number"};
        TESSERA_TRY(set_field(*field, v, o));
    }
    SamplerSettings check = apply_options(GenerationSettings{}, o).sampling;
    TESSERA_TRY(validate(check));
    return o;
}

QVariantMap options_to_map(const ConversationOptions& o) {
    QVariantMap map;
    for (const Field& f : kFields) {
        if (f.real && (o.*f.real)) map.insert(QString::fromLatin1(f.qml), *(o.*f.real));
        if (f.integer && (o.*f.integer)) map.insert(QString::fromLatin1(f.qml), static_cast<double>(*(o.*f.integer)));
    }
    map.insert(QStringLiteral("reasoning"), !o.reasoning ? QStringLiteral("default") : *o.reasoning ? QStringLiteral("on") : QStringLiteral("off"));
    return map;
}

Result<ConversationOptions> options_from_settings(const storage::ConversationSettings& settings) {
    ConversationOptions o;
    if (settings.sampling_json && !settings.sampling_json->empty()) {
        const auto json = nlohmann::json::parse(*settings.sampling_json, nullptr, false);
        if (!json.is_object()) return Error{"the conversation's stored sampling settings are not a JSON object"};
        for (const Field& f : kFields) {
            const auto it = json.find(f.json);
            if (it == json.end() || it->is_null()) continue;
            if (!it->is_number()) return Error{std::string("the stored ") + f.json + " is not a number"};
            TESSERA_TRY(set_field(f, it->get<double>(), o));
        }
    }
    if (settings.reasoning) {
        auto r = parse_reasoning(*settings.reasoning);
        if (!r) return r.error();
        o.reasoning = *r;
    }
    return o;
}

void store_options(const ConversationOptions& o, storage::ConversationSettings& settings) {
    nlohmann::json json = nlohmann::json::object();
    for (const Field& f : kFields) {
        if (f.real && (o.*f.real)) json[f.json] = *(o.*f.real);
        if (f.integer && (o.*f.integer)) json[f.json] = *(o.*f.integer);
    }
    settings.sampling_json = json.empty() ? std::nullopt : std::optional(json.dump());
    settings.reasoning = o.reasoning ? std::optional<std::string>(*o.reasoning ? "on" : "off") : std::nullopt;
}

GenerationSettings apply_options(GenerationSettings base, const ConversationOptions& o) {
    SamplerSettings& s = base.sampling;
    if (o.temperature) s.temperature = static_cast<float>(*o.temperature);
    if (o.top_p) s.top_p = static_cast<float>(*o.top_p);
    if (o.min_p) s.min_p = static_cast<float>(*o.min_p);
    if (o.repeat_penalty) s.repeat_penalty = static_cast<float>(*o.repeat_penalty);
    if (o.top_k) s.top_k = static_cast<int32_t>(*o.top_k);
    if (o.seed) s.seed = static_cast<uint64_t>(*o.seed);
    if (o.max_tokens) base.max_tokens = *o.max_tokens;
    return base;
}

}  // namespace tessera::app
