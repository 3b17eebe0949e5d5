#include "download_rows.h"

#include <QCoreApplication>
#include <QHostAddress>

#include "downloads/hf_json.h"

namespace tessera::app {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("Downloads", text); }

bool is_loopback(const QString& host) {
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

}  // namespace

std::variant<QUrl, HubFileRef, QString> parse_download_source(const QString& text) {
    const QString source = text.trimmed();
    if (source.isEmpty()) return tr("Give an https address or a Hugging Face file as owner/repository/file.gguf.");
    if (source.contains(QLatin1String("://"))) {
        const QUrl url(source, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (!url.isValid() || url.host().isEmpty()) return tr("'%1' is not a valid address.").arg(source);
        if (scheme == QLatin1String("http") && !is_loopback(url.host()))
            return tr("Only https addresses are downloaded (plain http could be altered on the way).");
        if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
            return tr("'%1' is not an https address.").arg(source);
        if (url.fileName().isEmpty()) return tr("'%1' names no file.").arg(source);
        return url;
    }
    const QStringList parts = source.split(QLatin1Char('/'));
    const QString repo = parts.mid(0, 2).join(QLatin1Char('/'));
    const QString path = parts.mid(2).join(QLatin1Char('/'));
    if (parts.size() < 3 || path.isEmpty() || !downloads::is_valid_repo_id(repo))
        return tr("'%1' is neither an https address nor a Hugging Face file (owner/repository/file.gguf).").arg(source);
    return HubFileRef{repo, path};
}

}  // namespace tessera::app
