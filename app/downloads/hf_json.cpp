#include "downloads/hf_json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace tessera::downloads {
namespace {

std::variant<QJsonArray, QString> parse_array(const QByteArray& json, const char* what) {
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("the %1 from the Hub is not valid JSON: %2").arg(QLatin1String(what), error.errorString());
    if (!doc.isArray()) return QStringLiteral("the %1 from the Hub is not a list").arg(QLatin1String(what));
    return doc.array();
}

bool is_sha256(const QString& s) {
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    return hex.match(s).hasMatch();
}

}  // namespace

bool is_valid_repo_id(const QString& repo) {
    static const QRegularExpression id(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$"));
    return id.match(repo).hasMatch() && !repo.contains(QLatin1String(".."));
}

std::optional<double> parameter_billions_from_name(const QString& repo) {
    // "Nemotron-Super-49B", "Ultra-253B", "DeciLM-7B", "Nemotron-Nano-8B"; not "Q4_K_M".
    static const QRegularExpression size(QStringLiteral("(?:^|[-_/.])(\\d+(?:\\.\\d+)?)[Bb](?:$|[-_/.])"));
    std::optional<double> best;
    auto it = size.globalMatch(repo);
    while (it.hasNext()) {
        const double value = it.next().captured(1).toDouble();
        if (!best || value > *best) best = value;
    }
    return best;
}

bool needs_multiple_machines(std::optional<double> billions, qint64 bytes) {
    return (billions && *billions >= kMultiMachineBillions) || bytes > kMultiMachineBytes;
}

QUrl resolve_url(const QUrl& base, const QString& repo, const QString& path) {
    QString encoded_path;
    for (const QString& segment : path.split(QLatin1Char('/')))
        encoded_path += QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(segment));
    QUrl url = base;
    QString base_path = url.path();
    if (base_path.endsWith(QLatin1Char('/'))) base_path.chop(1);
    url.setPath(base_path + QLatin1Char('/') + repo + QStringLiteral("/resolve/main") + encoded_path,
                QUrl::TolerantMode);
    return url;
}

std::variant<QList<HfModel>, QString> parse_model_list(const QByteArray& json) {
    auto parsed = parse_array(json, "model list");
    if (auto* error = std::get_if<QString>(&parsed)) return *error;
    QList<HfModel> out;
    for (const QJsonValue& v : std::get<QJsonArray>(parsed)) {
        const QJsonObject o = v.toObject();
        HfModel m;
        m.repo = o.value(QLatin1String("id")).toString(o.value(QLatin1String("modelId")).toString());
        if (!is_valid_repo_id(m.repo)) continue;
        m.downloads = o.value(QLatin1String("downloads")).toInteger();
        m.likes = o.value(QLatin1String("likes")).toInteger();
        for (const QJsonValue& t : o.value(QLatin1String("tags")).toArray()) m.tags << t.toString();
        m.parameter_billions = parameter_billions_from_name(m.repo);
        m.needs_multiple_machines = needs_multiple_machines(m.parameter_billions, 0);
        out << m;
    }
    return out;
}

std::variant<QList<HfFile>, QString> parse_tree(const QByteArray& json, const QString& repo, const QUrl& base) {
    auto parsed = parse_array(json, "file list");
    if (auto* error = std::get_if<QString>(&parsed)) return *error;
    const auto billions = parameter_billions_from_name(repo);
    QList<HfFile> out;
    for (const QJsonValue& v : std::get<QJsonArray>(parsed)) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("type")).toString() != QLatin1String("file")) continue;
        HfFile f;
        f.repo = repo;
        f.path = o.value(QLatin1String("path")).toString();
        if (f.path.isEmpty()) continue;
        const QJsonObject lfs = o.value(QLatin1String("lfs")).toObject();
        f.size = lfs.contains(QLatin1String("size")) ? lfs.value(QLatin1String("size")).toInteger()
                                                     : o.value(QLatin1String("size")).toInteger(-1);
        if (f.size < 0) continue;
        const QString oid = lfs.value(QLatin1String("oid")).toString().toLower();
        if (is_sha256(oid)) f.sha256 = oid;
        f.download_url = resolve_url(base, repo, f.path);
        f.is_gguf = f.path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
        f.needs_multiple_machines = needs_multiple_machines(billions, f.size);
        out << f;
    }
    return out;
}

}  // namespace tessera::downloads
