// The messages of the conversation's shown path, for the chat view's ListView. Only the
// GUI thread touches it. A streamed piece of text changes one row (dataChanged on the last
// row); showing another path removes and inserts only the rows that differ, never a reset.
#pragma once

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>
#include <vector>

#include "chat/reasoning.h"
#include "message_rows.h"

namespace tessera::app {

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")
    // The first row is not the conversation's first message: older pages can be loaded
    // (ChatController::loadOlderMessages).
    Q_PROPERTY(bool hasOlder READ hasOlder NOTIFY hasOlderChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1,  // messageId: qint64, the stored message's id
        RoleRole,                   // role: "user", "assistant" or "system"
        AnswerRole,                 // answer: the text shown (Markdown), reasoning excluded
        ReasoningRole,              // reasoning: the <think> text, empty when none
        StateRole,                  // messageState: "complete", "streaming", "interrupted", "error"
        ErrorRole,                  // errorText: why a reply failed
        SiblingIndexRole,           // siblingIndex: 0-based position among its siblings
        SiblingCountRole,           // siblingCount: 1 when it has no siblings
        ModelRole,                  // modelName: the model that wrote a reply
        StatsRole,                  // stats: "42 tokens · 310.5 tokens/s · first token 12 ms"
        BlocksRole,                 // blocks: the answer as prose and code blocks (message_blocks.h)
        ShownAnswerRole,            // shownAnswer: the answer as shown, cut past kMaxShownChars
    };

    explicit MessageListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Shows another path: rows shared with the shown path (same message, same place among
    // its siblings) stay; the rest is removed and inserted, so a new turn or another
    // branch at the end never rebuilds the whole list.
    void setRows(std::vector<MessageRow> rows);
    void clear() { setRows({}); }
    // Older rows (the page above the first row) go in front; the rows shown stay as they are.
    void prependRows(std::vector<MessageRow> rows);
    bool hasOlder() const { return !rows_.empty() && rows_.front().parent_id.has_value(); }
    // The last row is the reply being streamed: the piece goes to its reasoning or answer.
    void appendToLast(const QString& piece);
    // The streamed reply ended: state and stats of the last row.
    void finishLast(storage::MessageState state, const storage::MessageStats& stats, const QString& error = {});

    const MessageRow& row(int i) const { return rows_.at(static_cast<size_t>(i)); }

signals:
    void hasOlderChanged();

private:
    void lastRowChanged(const QList<int>& roles);

    std::vector<MessageRow> rows_;
    chat::ReasoningSplitter splitter_;  // for the streamed last row
};

}  // namespace tessera::app
