// The OCR worker's protocol (frames of core/frame.h over the socketpair, fd 3 in the worker).
//
// The worker is started once by the daemon and kept warm. It owns one warm Tesseract per model
// (eng+fra by default, OMP_THREAD_LIMIT=1) and never talks to anything but its fd.
//
// daemon -> worker
//   {"op":"ocr","gen":G,"path":"/abs/img.png","lang":"eng+fra","mode":"auto"}
//       Recognise an image file. The worker opens it itself (O_NOFOLLOW, regular file, size limit),
//       checks the header (each side <= 16384 px, <= 40 Mpx) before decoding. A multi-page TIFF
//       or a PDF is read page after page (up to 100 pages): a PDF page from its text layer when it
//       has one, else rendered at 300 dpi and recognised (ocr/pdf_document.h). "mode" is "auto"
//       (a screenshot or a page of paper, judged from the pixels), "screen" (known to be a
//       capture of the screen), "block" (a small region: one block) or "line".
//   {"op":"ocr","gen":G,"pixels":{"width":W,"height":H,"stride":S,"format":"bgra"},...}
//       Same, with the pixels in the payload instead of a path (screen capture).
//   {"op":"ocr","gen":G,"encoded":"png",...}
//       Same, with an encoded image file's bytes in the payload (the clipboard's image/png, the
//       Screenshot portal's PNG).
//   "focus":{"x":X,"y":Y} (optional, with "pixels"): read under the pointer — only the block
//       holding that point of the image, or else the nearest, is recognised (the others are
//       never read, so the first word comes sooner); "layout" still counts every block.
//   "crop":{"x":X,"y":Y,"w":W,"h":H} (optional, any of the above): read only that part of the
//       decoded image, clipped to it (a region of the portal's whole-screen screenshot); a crop
//       wholly outside the image is an invalid-argument error naming both.
//   "pages":{"first":F,"count":C} (optional, a multi-page TIFF or a PDF): read only pages F to
//       F+C-1 (0-based, within the first kMaxPages), placed from y 0; a first page beyond the
//       file's is invalid-argument. `liseur adapt` gives the pages of one file to two workers.
//   "marks":true (optional): also find the page's rules and drawn boxes (preprocess/page_marks.h)
//       on each page, sent as a "marks" event after its blocks (`liseur adapt`'s answer places).
//   {"op":"cancel","gen":G}    Stop job G as soon as possible (Tesseract's cancel hook).
//   {"op":"ping"}              Answered by {"ev":"pong"}: liveness check.
//
// worker -> daemon
//   {"ev":"ready","langs":["eng","fra"],"tesseract":"5.3.0"}      once, after the models loaded
//   {"ev":"layout","gen":G,"width":W,"height":H,"blocks":N}        layout analysed (cheap)
//   {"ev":"pages","gen":G,"pages":N}
//       sources of pages only (a multi-page TIFF, a PDF), once the file is open, before any page
//       is rendered or recognised
//   {"ev":"page","gen":G,"page":P,"pages":N,"y":Y,"width":W,"height":H,"text_layer":false}
//       sources of pages only (a multi-page TIFF, a PDF), before each page's blocks: page P
//       (0-based) of N, placed at Y in the job's coordinates
//       (the pages are one under the other: every box of page P is offset by Y); "text_layer"
//       when its words come from a PDF's text rather than from recognition
//   {"ev":"block","gen":G,"block":{...Block JSON of document.h...}} one per block, reading order;
//       with "focus":true, a part of the paragraph under the pointer ("focus" asked, on a screen:
//       a sentence or more of it, the next part below; ocr_engine.h on_focus_block)
//   {"ev":"marks","gen":G,"rules":[[x,y,w,h],...],"boxes":[[x,y,w,h],...],
//    "tables":[{"xs":[x0,x1,...],"ys":[y0,y1,...]},...]}   when asked (a table: its column and
//    row lines, document.h TableGrid; at most 64 of each)
//   {"ev":"done","gen":G,"ms":{"decode":d,"preprocess":p,"layout":l,"recognise":r}}
//       with "pages":N,"pages_read":R when the source has more than one page
//   {"ev":"cancelled","gen":G}
//   {"ev":"error","gen":G,"code":"image-too-large","message":"..."}  job failed (codes: error.h)
//
// Exactly one of done / cancelled / error ends every ocr request.
#pragma once

namespace liseur::ocr {

inline constexpr const char* kWorkerProgram = "liseur-ocr-worker";
inline constexpr int kMaxSide = 16384;
inline constexpr long long kMaxPixels = 40'000'000;
inline constexpr long long kMaxFileBytes = 200ll << 20;
// Pages of a multi-page file read in one job (a longer one is read up to here, and says so).
inline constexpr int kMaxPages = 100;

}  // namespace liseur::ocr
