"""A LibreOffice Python macro: open the .docx, update its contents, export a tagged PDF/UA.

LibreOffice's plain `--convert-to pdf` keeps the table of contents as the .docx stored it (a
placeholder: python-docx cannot lay out pages), so the PDF would have no contents. This macro
updates every index (the contents with its page numbers) before the export. It runs inside
LibreOffice (copied into the conversion's private profile by reports.renderers.pdf); the paths
come in the environment, since a script URL carries no arguments. Not imported by Django.
"""

import os

import uno  # LibreOffice's own Python bridge (Debian: python3-uno)
from com.sun.star.beans import PropertyValue

FILTER_OPTIONS = {"UseTaggedPDF": True, "PDFUACompliance": True, "EmbedStandardFonts": True}


def _property(name, value):
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def export_pdf(*args):
    desktop = XSCRIPTCONTEXT.getDesktop()  # noqa: F821 (given by LibreOffice's script provider)
    source = uno.systemPathToFileUrl(os.environ["STYRKORT_PDF_SOURCE"])
    target = uno.systemPathToFileUrl(os.environ["STYRKORT_PDF_TARGET"])
    try:
        document = desktop.loadComponentFromURL(source, "_blank", 0, (_property("Hidden", True),))
        if document is None:
            return  # unreadable: no PDF is written, and the caller says so
        try:
            indexes = document.getDocumentIndexes()
            for number in range(indexes.getCount()):
                indexes.getByIndex(number).update()
            document.refresh()
            options = uno.Any(
                "[]com.sun.star.beans.PropertyValue",
                tuple(_property(name, value) for name, value in FILTER_OPTIONS.items()),
            )
            arguments = (
                _property("FilterName", "writer_pdf_Export"),
                _property("FilterData", options),
            )
            uno.invoke(document, "storeToURL", (target, arguments))
        finally:
            document.close(True)
    finally:
        # Always end LibreOffice, so a failed conversion returns at once instead of waiting
        # for the timeout.
        desktop.terminate()


g_exportedScripts = (export_pdf,)
