import QtQuick
import QtTest
import Tessera.Ui

// The sidebar's search and undo banner and the chat view's list, over a real controller.
// TestCase is not visible itself: what is tested is created in the visible root.
Item {
    id: root
    width: 900
    height: 600

    TestCase {
        id: testCase
        name: "SidebarAndChat"
        when: windowShown

        Component { id: sidebarComponent; Sidebar { controller: testController; width: 300; height: 600 } }
        Component { id: chatComponent; ChatView { controller: testController; x: 300; width: 600; height: 600 } }

        function initTestCase() {
            verify(appReady, "the app could not start on the bundled model")
            verify(testController.send("kaleidoscope dreams"))
            tryVerify(() => !testController.generating, 60000)
        }

        function test_chatViewListsTheShownPath() {
            const chat = createTemporaryObject(chatComponent, root)
            const list = findChild(chat, "messageList")
            tryCompare(list, "count", 2)
        }

        function test_settingsDialogSetsTheSystemPrompt() {
            const chat = createTemporaryObject(chatComponent, root)
            const dialog = findChild(chat, "conversationSettings")
            verify(dialog)
            dialog.open()
            tryCompare(dialog, "opened", true)
            const input = findChild(dialog.contentItem, "systemPromptInput")
            verify(input)
            compare(input.text, testController.systemPrompt)
            input.text = "Answer briefly."
            dialog.accept()
            compare(testController.systemPrompt, "Answer briefly.")
            testController.systemPrompt = ""
        }

        function test_searchFiltersTheList() {
            const sidebar = createTemporaryObject(sidebarComponent, root)
            const list = findChild(sidebar, "conversationList")
            const search = findChild(sidebar, "searchField")
            compare(list.count, 1)
            search.text = "zebrafinch"
            tryCompare(list, "count", 0)
            search.text = "kaleido"
            tryCompare(list, "count", 1)
            search.text = ""
            tryCompare(list, "count", 1)
        }

        function test_deleteShowsUndoThatRestores() {
            const sidebar = createTemporaryObject(sidebarComponent, root)
            const list = findChild(sidebar, "conversationList")
            const banner = findChild(sidebar, "undoBanner")
            verify(!banner.visible)
            testController.conversations.remove(testController.conversationId)
            compare(list.count, 0)
            verify(banner.visible)
            mouseClick(findChild(sidebar, "undoButton"))
            compare(list.count, 1)
            verify(!banner.visible)
        }
    }
}
