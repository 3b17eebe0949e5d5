import QtQuick
import QtQuick.Controls
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

        function test_settingsDialogSetsTheConversationsSampling() {
            const chat = createTemporaryObject(chatComponent, root)
            const dialog = findChild(chat, "conversationSettings")
            dialog.open()
            tryCompare(dialog, "opened", true)
            const temperature = findChild(dialog.contentItem, "option_temperature")
            const maxTokens = findChild(dialog.contentItem, "option_maxTokens")
            const reasoning = findChild(dialog.contentItem, "reasoningBox")
            verify(temperature && maxTokens && reasoning)
            compare(temperature.text, "")                    // unset: the default applies...
            verify(temperature.placeholderText.indexOf("default") === 0)  // ...and is shown
            temperature.text = "0.3"
            maxTokens.text = "64"
            reasoning.currentIndex = 2
            dialog.accept()
            compare(testController.conversationOptions.temperature, 0.3)
            compare(testController.conversationOptions.maxTokens, 64)
            compare(testController.conversationOptions.reasoning, "off")

            // A value out of range is named as it is typed and Save waits; forced, nothing changes.
            tryCompare(dialog, "opened", false)
            dialog.open()
            tryCompare(dialog, "opened", true)
            compare(maxTokens.text, "64")
            const topP = findChild(dialog.contentItem, "option_topP")
            topP.forceActiveFocus()
            topP.selectAll()
            keyClick(Qt.Key_3)
            verify(dialog.problem.indexOf("topP") >= 0)
            verify(findChild(dialog.contentItem, "optionsProblem").visible)
            verify(!dialog.standardButton(Dialog.Save).enabled)
            dialog.accept()
            verify(testController.errorText.indexOf("topP") >= 0)
            verify(testController.conversationOptions.topP === undefined)
            compare(testController.conversationOptions.maxTokens, 64)
            testController.clearError()
            verify(testController.setConversationOptions({}))
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
