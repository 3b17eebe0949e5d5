import QtQuick
import QtTest
import Tessera.Core
import Tessera.Ui

// The models page over a real controller: import by reference and by copy, the layer map of a
// synthetic model with every block variant, the context selector driving the fit estimate,
// a truncated file refused with its error, and delete asking first.
Item {
    id: root
    width: 1200
    height: 860

    Component { id: pageComponent; ModelsPage { anchors.fill: parent; controller: testController } }

    TestCase {
        id: testCase
        name: "ModelsPage"
        when: windowShown

        function init() {
            failOnWarning(/qrc:\/Tessera\//)  // a binding loop or unknown property is a failure
            verify(appReady, "the test app could not be opened")
            verify(testNasModel !== "", "the synthetic models could not be written")
            // Each test starts from an empty list.
            for (const path of [testNasModel, testBrokenModel])
                if (testController.models.rowOfPath(path) >= 0) testController.library.removeModel(path, false)
            testController.library.clearMessages()
            compare(testController.models.rowCount(), 0)
        }

        function importThroughTheForm(page, path, copy) {
            const field = findChild(page, "importPathField")
            field.text = path
            mouseClick(findChild(page, copy ? "copyChoice" : "referenceChoice"))
            mouseClick(findChild(page, "importButton"))
            tryVerify(() => !testController.library.busy, 30000)
        }

        function choose(picker, tokens) {
            const i = picker.model.indexOf(tokens)
            verify(i >= 0, "no choice " + tokens)
            picker.currentIndex = i
            picker.activated(i)
        }

        function test_importedModelShowsItsLayerMap() {
            const page = createTemporaryObject(pageComponent, root)
            importThroughTheForm(page, testNasModel, false)
            compare(testController.library.errorText, "")
            compare(findChild(page, "installedModels").count, 1)
            page.selectPath(testNasModel)
            tryCompare(page.details, "status", ModelDetails.Ready, 30000)
            compare(findChild(page, "detailsTitle").text, "every-variant")
            compare(findChild(page, "architectureLabel").text, "deci")
            // The list learned the architecture from the details.
            tryCompare(findChild(page, "installedModels").currentItem, "architecture", "deci")

            compare(findChild(page, "layerColumns").count, 7)
            // Attention: GQA filled, pruned (none) only outlined.
            verify(findChild(page, "attention0").border.width === 0)
            compare(findChild(page, "attention2").border.width, 1)
            // FFN bars are as tall as their width: layer 2 (128) is the widest, layer 1 (64) half of it.
            const full = findChild(page, "ffn2").height
            verify(full > 100)
            compare(findChild(page, "ffn1").height, Math.round(full / 2))
            verify(findChild(page, "ffn6").height < findChild(page, "ffn3").height)  // none < linear
        }

        function test_contextSelectorUpdatesTheEstimate() {
            const page = createTemporaryObject(pageComponent, root)
            importThroughTheForm(page, testNasModel, false)
            page.selectPath(testNasModel)
            tryCompare(page.details, "status", ModelDetails.Ready, 30000)
            const fit = page.details.fit
            const picker = findChild(page, "contextPicker")
            // Starts at the trained context (512) when that is below 4096, which is offered too.
            compare(fit.contextLength, 512)
            compare(picker.currentText, "512")
            choose(picker, 2048)
            compare(fit.contextLength, 2048)
            // K and V in f16 for the GQA layers (2 + 1 + 4 KV heads of 16): 448 bytes per token.
            compare(fit.kvCacheBytes, 448 * 2048)
            const small = fit.totalBytes
            choose(picker, 65536)
            compare(fit.contextLength, 65536)
            compare(fit.kvCacheBytes, 448 * 65536)
            verify(fit.totalBytes > small)
            compare(findChild(page, "totalLabel").text, Format.bytes(fit.totalBytes))
            tryVerify(() => fit.verdict !== FitEstimate.Unknown, 30000)
            verify(findChild(page, "verdictLabel").text !== "")
        }

        function test_aTruncatedFileIsRefusedWithItsError() {
            const page = createTemporaryObject(pageComponent, root)
            importThroughTheForm(page, testBrokenModel, true)
            const error = findChild(page, "libraryError")
            verify(error.visible)
            verify(error.text.startsWith("nas-truncated.gguf: "), error.text)
            compare(findChild(page, "installedModels").count, 0)
        }

        function test_deleteAsksFirstAndCanKeepAReferencedFile() {
            const page = createTemporaryObject(pageComponent, root)
            importThroughTheForm(page, testNasModel, false)
            page.selectPath(testNasModel)
            tryCompare(page.details, "status", ModelDetails.Ready, 30000)
            const dialog = findChild(page, "deleteDialog")
            mouseClick(findChild(page, "deleteButton"))
            tryCompare(dialog, "opened", true)
            // Outside the models folder: both choices are offered.
            verify(findChild(dialog.footer, "removeEntryButton").visible)
            mouseClick(findChild(dialog.footer, "cancelDeleteButton"))
            tryCompare(dialog, "visible", false)
            compare(testController.models.rowOfPath(testNasModel), 0)

            mouseClick(findChild(page, "deleteButton"))
            tryCompare(dialog, "opened", true)
            mouseClick(findChild(dialog.footer, "removeEntryButton"))
            tryCompare(dialog, "visible", false)
            compare(testController.models.rowOfPath(testNasModel), -1)
            verify(testController.library.statusText.indexOf("the file stays") >= 0, testController.library.statusText)
        }

        function test_theFilePickerFillsInThePath() {
            const page = createTemporaryObject(pageComponent, root)
            const dialog = findChild(page, "fileDialog")
            // What a user would click in the dialog, chosen before it opens (Qt's own dialog
            // takes the selection it is shown with).
            dialog.currentFolder = "file://" + testNasModel.substring(0, testNasModel.lastIndexOf("/"))
            dialog.selectedFile = "file://" + testNasModel
            mouseClick(findChild(page, "chooseFileButton"))
            tryCompare(dialog, "visible", true)
            dialog.accept()
            tryCompare(dialog, "visible", false)
            compare(findChild(page, "importPathField").text, testNasModel, "selected: " + dialog.selectedFile)
            compare(findChild(page, "installedModels").count, 0)  // nothing happens before Import
        }

        function test_aCopiedModelIsDeletedWithItsFile() {
            const page = createTemporaryObject(pageComponent, root)
            importThroughTheForm(page, testNasModel, true)
            compare(testController.library.errorText, "")
            const copied = testController.library.modelsFolder + "/nas-every-variant.gguf"
            verify(testController.library.isInModelsFolder(copied))
            page.selectPath(copied)
            tryCompare(page.details, "status", ModelDetails.Ready, 30000)
            mouseClick(findChild(page, "deleteButton"))
            const dialog = findChild(page, "deleteDialog")
            tryCompare(dialog, "opened", true)
            verify(!findChild(dialog.footer, "removeEntryButton").visible)  // in the folder: file and entry go together
            mouseClick(findChild(dialog.footer, "deleteFileButton"))
            tryCompare(dialog, "visible", false)
            compare(testController.models.rowOfPath(copied), -1)
            // Importing the same name again works: the file is really gone.
            importThroughTheForm(page, testNasModel, true)
            compare(testController.library.errorText, "")
            testController.library.removeModel(copied, true)
        }
    }
}
