import QtQuick
import QtTest
import Tessera.Core
import Tessera.Ui

// The Downloads section of the models page over a real controller and a real HTTP server on
// loopback (testDownloadUrl): a refused address shows why, a download shows its progress and
// can be paused and resumed with its buttons, the finished file is in the installed list, and
// Clear takes the row away; the catalog lists its bundled repositories, Ultra-253B flagged.
Item {
    id: root
    width: 1280
    height: 860

    Component { id: pageComponent; ModelsPage { anchors.fill: parent; controller: testController } }

    TestCase {
        name: "DownloadsPanel"
        when: windowShown

        function init() {
            failOnWarning(/qrc:\/Tessera\//)
            verify(appReady, "the test app could not be opened")
            verify(testDownloadUrl !== "", "the loopback server could not be started")
        }

        function jobDelegate(list) {
            list.forceLayout()
            return list.itemAtIndex(0)
        }

        function addThroughTheForm(page, text) {
            findChild(page, "downloadSourceField").text = text
            mouseClick(findChild(page, "downloadAddButton"))
        }

        function test_anHttpAddressElsewhereIsRefused() {
            const page = createTemporaryObject(pageComponent, root)
            addThroughTheForm(page, "http://example.org/model.gguf")
            const error = findChild(page, "downloadError")
            verify(error.visible)
            verify(error.text.indexOf("https") >= 0, error.text)
            compare(findChild(page, "downloadJobs").count, 0)
            compare(findChild(page, "downloadSourceField").text, "http://example.org/model.gguf")  // kept to fix
        }

        // Before any search the catalog lists the bundled repositories (no network is asked:
        // the catalog's address is the real Hub here, so nothing below clicks a repository).
        function test_catalogListsTheBundledRepositories() {
            const page = createTemporaryObject(pageComponent, root)
            const repos = findChild(page, "catalogRepos")
            tryVerify(() => repos.count >= 4, 30000)
            let flagged = []
            for (let i = 0; i < repos.count; ++i)
                if (repos.model[i].multiMachine) flagged.push(repos.model[i].repo)
            compare(flagged.length, 1)
            verify(flagged[0].indexOf("Ultra-253B") >= 0, flagged[0])
            compare(findChild(page, "catalogFiles").visible, false)
        }

        function test_downloadPauseResumeAndInstall() {
            const page = createTemporaryObject(pageComponent, root)
            const list = findChild(page, "downloadJobs")
            addThroughTheForm(page, testDownloadUrl)
            compare(findChild(page, "downloadError").visible, false)
            compare(findChild(page, "downloadSourceField").text, "")
            tryCompare(list, "count", 1, 30000)
            let job = jobDelegate(list)
            tryVerify(() => job.state === "running" && job.bytesDone > 0, 30000)
            verify(findChild(page, "downloadTotal").visible)
            const bar = findChild(job, "downloadProgress")
            verify(bar.value > 0 && bar.value < 1, "progress " + bar.value)

            const pause = findChild(job, "pauseButton")
            compare(pause.Accessible.name, "Pause downloaded-every-variant.gguf")
            mouseClick(pause)
            tryCompare(job, "state", "paused", 30000)
            const resume = findChild(job, "resumeButton")
            verify(resume.visible)
            verify(!pause.visible)
            compare(resume.Accessible.name, "Resume downloaded-every-variant.gguf")
            verify(findChild(job, "downloadFigures").text.indexOf("Paused") === 0)

            mouseClick(resume)
            tryCompare(job, "state", "done", 30000)
            compare(bar.value, 1)
            const path = testController.library.modelsFolder + "/downloaded-every-variant.gguf"
            tryVerify(() => testController.models.rowOfPath(path) >= 0, 30000)
            page.selectPath(path)
            tryCompare(page.details, "status", ModelDetails.Ready, 30000)
            compare(findChild(page, "architectureLabel").text, "deci")

            const clear = findChild(job, "cancelButton")
            compare(clear.text, "Clear")
            mouseClick(clear)
            tryCompare(list, "count", 0, 30000)
            verify(testController.models.rowOfPath(path) >= 0)  // the model stays installed
        }

        // The Hugging Face token: saved from the catalog panel (the test app keeps secrets in a
        // file), said where it is kept, and removed with the same button.
        function test_theHubTokenIsSavedAndRemoved() {
            const page = createTemporaryObject(pageComponent, root)
            const field = findChild(page, "hubTokenField")
            const button = findChild(page, "hubTokenSaveButton")
            const location = findChild(page, "hubTokenLocation")
            verify(!button.enabled)
            field.text = "hf_quick_test_token"
            compare(button.text, "Save")
            mouseClick(button)
            tryVerify(() => location.visible, 30000)
            compare(field.text, "")
            verify(location.text.indexOf("secrets.json") >= 0, location.text)
            compare(button.text, "Remove")
            mouseClick(button)
            tryVerify(() => !location.visible, 30000)
            verify(!testController.downloads.hubTokenSet)
        }
    }
}
