// The sidebar: recent conversations (pinned first, then most recently updated), or while
// searchText is set, the conversations whose title or messages match, with a snippet.
// Deleting moves a conversation to the bin; undoDelete() brings the last one back.
#pragma once

#include <QAbstractListModel>
#include <QString>
#include <QtQml/qqmlregistration.h>
#include <optional>
#include <vector>

#include "storage/conversation_store.h"

namespace tessera::app {

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY searchTextChanged)
    Q_PROPERTY(bool canUndoDelete READ canUndoDelete NOTIFY canUndoDeleteChanged)
    Q_PROPERTY(QString lastDeletedTitle READ lastDeletedTitle NOTIFY canUndoDeleteChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1,  // conversationId: qint64
        TitleRole,                  // title: QString
        PinnedRole,                 // pinned: bool
        UpdatedRole,                // updated: QDateTime of the last change
        SnippetRole,                // snippet: rich text (matches in <b>, the rest escaped); search only
        SectionRole,                // section: "Pinned", "Today", ... (conversation_groups.h); empty while searching
    };

    ConversationListModel(storage::ConversationStore& store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString searchText() const { return search_text_; }
    void setSearchText(const QString& text);
    bool canUndoDelete() const { return last_deleted_.has_value(); }
    QString lastDeletedTitle() const { return last_deleted_title_; }

    Q_INVOKABLE void refresh();
    Q_INVOKABLE void rename(qint64 id, const QString& title);
    Q_INVOKABLE void setPinned(qint64 id, bool pinned);
    Q_INVOKABLE void remove(qint64 id);
    Q_INVOKABLE void undoDelete();
    Q_INVOKABLE int rowOf(qint64 id) const;

signals:
    void searchTextChanged();
    void canUndoDeleteChanged();
    void removed(qint64 id);
    void restored(qint64 id);
    void errorOccurred(const QString& message);

private:
    struct Row {
        std::int64_t id = 0;
        QString title;
        bool pinned = false;
        std::int64_t updated_ms = 0;
        QString snippet;
    };
    storage::DbResult<std::vector<Row>> load_recent();
    storage::DbResult<std::vector<Row>> load_search();
    bool report(const storage::DbStatus& status, const char* what);

    storage::ConversationStore& store_;
    std::vector<Row> rows_;
    QString search_text_;
    std::optional<std::int64_t> last_deleted_;
    QString last_deleted_title_;
};

}  // namespace tessera::app
