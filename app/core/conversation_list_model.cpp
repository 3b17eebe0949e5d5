#include "conversation_list_model.h"

#include <QDateTime>
#include <set>

#include "app_storage.h"
#include "conversation_groups.h"
#include "logging.h"
#include "storage/search.h"

namespace tessera::app {
namespace {

constexpr int kRecentLimit = 500;  // the sidebar pages in more later; this bounds the first screen

// Matches are marked with private-use characters so the snippet can be HTML-escaped first:
// message text never becomes markup.
constexpr char16_t kOpenMark = 0xE000;
constexpr char16_t kCloseMark = 0xE001;

QString snippet_html(const std::string& snippet) {
    QString html = QString::fromStdString(snippet).toHtmlEscaped();
    html.replace(QChar(kOpenMark), QStringLiteral("<b>"));
    html.replace(QChar(kCloseMark), QStringLiteral("</b>"));
    return html;
}

}  // namespace

ConversationListModel::ConversationListModel(storage::ConversationStore& store, QObject* parent)
    : QAbstractListModel(parent), store_(store) {
    refresh();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& r = rows_[static_cast<size_t>(index.row())];
    switch (role) {
        case IdRole: return QVariant::fromValue<qint64>(r.id);
        case TitleRole: return r.title;
        case PinnedRole: return r.pinned;
        case UpdatedRole: return QDateTime::fromMSecsSinceEpoch(r.updated_ms);
        case SnippetRole: return r.snippet;
        case SectionRole:
            return search_text_.trimmed().isEmpty()
                       ? conversation_group(r.pinned, QDateTime::fromMSecsSinceEpoch(r.updated_ms),
                                            QDateTime::currentDateTime())
                       : QString();
        default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    return {{IdRole, "conversationId"}, {TitleRole, "title"}, {PinnedRole, "pinned"},
            {UpdatedRole, "updated"}, {SnippetRole, "snippet"}, {SectionRole, "section"}};
}

void ConversationListModel::setSearchText(const QString& text) {
    if (text == search_text_) return;
    search_text_ = text;
    emit searchTextChanged();
    refresh();
}

void ConversationListModel::refresh() {
    auto rows = search_text_.trimmed().isEmpty() ? load_recent() : load_search();
    if (!report(status_of(rows), "listing conversations")) return;
    beginResetModel();
    rows_ = std::move(*rows);
    endResetModel();
}

storage::DbResult<std::vector<ConversationListModel::Row>> ConversationListModel::load_recent() {
    STORAGE_ASSIGN(auto conversations, store_.recent_conversations(kRecentLimit));
    std::vector<Row> rows;
    rows.reserve(conversations.size());
    for (const auto& c : conversations)
        rows.push_back({c.id, QString::fromStdString(c.settings.title), c.settings.pinned, c.updated_at_ms, {}});
    return rows;
}

storage::DbResult<std::vector<ConversationListModel::Row>> ConversationListModel::load_search() {
    storage::SearchOptions options;
    options.open_mark = QString(QChar(kOpenMark)).toStdString();
    options.close_mark = QString(QChar(kCloseMark)).toStdString();
    STORAGE_ASSIGN(auto hits, storage::search(store_.db(), search_text_.toStdString(), options));
    std::vector<Row> rows;
    std::set<std::int64_t> seen;  // one row per conversation, at its best hit
    for (const auto& hit : hits) {
        if (!seen.insert(hit.conversation_id).second) continue;
        STORAGE_ASSIGN(auto c, store_.conversation(hit.conversation_id));
        rows.push_back({c.id, QString::fromStdString(c.settings.title), c.settings.pinned, c.updated_at_ms,
                        snippet_html(hit.snippet)});
    }
    return rows;
}

void ConversationListModel::rename(qint64 id, const QString& title) {
    auto c = store_.conversation(id);
    if (!report(status_of(c), "renaming")) return;
    c->settings.title = title.trimmed().toStdString();
    if (report(store_.update_settings(id, c->settings), "renaming")) refresh();
}

void ConversationListModel::setPinned(qint64 id, bool pinned) {
    auto c = store_.conversation(id);
    if (!report(status_of(c), "pinning")) return;
    c->settings.pinned = pinned;
    if (report(store_.update_settings(id, c->settings), "pinning")) refresh();
}

void ConversationListModel::remove(qint64 id) {
    const int row = rowOf(id);
    if (!report(store_.soft_delete(id), "deleting")) return;
    last_deleted_ = id;
    last_deleted_title_ = row >= 0 ? rows_[static_cast<size_t>(row)].title : QString();
    emit canUndoDeleteChanged();
    emit removed(id);
    refresh();
}

void ConversationListModel::undoDelete() {
    if (!last_deleted_) return;
    const std::int64_t id = *last_deleted_;
    if (!report(store_.undo_delete(id), "restoring")) return;
    last_deleted_.reset();
    last_deleted_title_.clear();
    emit canUndoDeleteChanged();
    emit restored(id);
    refresh();
}

int ConversationListModel::rowOf(qint64 id) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == id) return static_cast<int>(i);
    return -1;
}

bool ConversationListModel::report(const storage::DbStatus& status, const char* what) {
    if (status) return true;
    qCWarning(lcHistory) << what << status.error().message.c_str();
    emit errorOccurred(tr("The history could not be changed (%1): %2")
                           .arg(QString::fromLatin1(what), QString::fromStdString(status.error().message)));
    return false;
}

}  // namespace tessera::app
