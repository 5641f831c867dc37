// liseur_answers.hpp: the pupil answers on the page, for render plugins that show a worksheet's
// answer places (liseur-document/1 "answers") as fields. Header-only, standard library only; part
// of the plugin SDK. ONE script serves every view: it is the same text on every page (so a page
// may allow it by its CSP hash) and reads what differs from data- attributes.
//
//   kScript                 the script, for a <script> element after the fields
//   rootAttributes(view)    the attributes of the element that names the view (body or main)
//   sayButton(view, id)     the "Lire" button after field `id` (Alt+R as a button)
//   controls(view)          "Exporter", "Effacer" and the status line, for the view's toolbar
//
// What the script does: answers kept in the browser's own storage under "liseur-answers-" +
// data-page (nothing leaves the machine), restored on opening; read back through the browser's
// speech synthesis (Alt+R the answer, Alt+M its last word, Alt+L its last letter, Alt+Q the
// question again: its line's narration button, else its words through the browser's voice; the
// text also goes to the status line, which is all there is without a voice); "Exporter" downloads
// the sheet with the answers in place as one HTML file without script (printable: the browser's
// print makes the PDF; also window.liseurExportHtml()); "Effacer" asks, then empties every field.
//
// What it needs on the page, with P the view's prefix (data-answers="P"):
//   [data-answers=P][data-page][data-answers-lang=fr|en][data-answers-export=plain|page]
//   #P-text                  the sheet (what is exported)
//   .P-line > .P-word        lines and their words; .P-say a line's narration button (optional);
//                            .P-covered a word the field stands for (left out of the question)
//   [data-answer=N]#ID       each field, N unique, inside its line: input[type=text], textarea,
//                            input[type=checkbox], or a group .P-choices of .P-choice options
//                            (buttons with aria-pressed, or radio inputs in their <label>)
//   .P-answer-say[data-for=ID]   #P-answer-status   #P-export   #P-clear   (each optional)
// Export "plain" is a sober printable page; "page" keeps the page's own <style> (its --fg and
// --bg become black on white on paper). [hidden] parts are shown, .P-masked ones unmasked.
#ifndef LISEUR_ANSWERS_HPP
#define LISEUR_ANSWERS_HPP

#include <string>
#include <string_view>

#include "liseur_html.hpp"

namespace liseur::sdk::answers {

// How a view shows its answers.
struct View {
  std::string_view prefix;  // its class and id prefix ("dys", "lp"): letters, digits and '-'
  std::string_view page;    // the page's storage name (a digest of its words and answer places)
  bool english = false;     // labels and messages in English; else French
  bool ownLook = false;     // the export keeps the page's style sheet; else the plain look
};

inline constexpr const char* kScript = R"JS(
(function () {
  'use strict';
  var root = document.querySelector('[data-answers]');
  if (!root) return;
  var P = root.getAttribute('data-answers');
  var T = root.getAttribute('data-answers-lang') === 'en' ? {
    keep: 'This browser cannot keep the answers.', nothing: 'Nothing to read.',
    noVoice: 'The browser has no voice: ', title: 'Completed sheet', done: 'Sheet completed on ',
    locale: 'en-GB', file: 'completed-sheet.html',
    saved: 'The completed sheet is saved in the downloads (completed-sheet.html).',
    confirm: 'Clear every answer on this sheet?', cleared: 'The answers are cleared.'
  } : {
    keep: 'Les réponses ne peuvent pas être gardées dans ce navigateur.', nothing: 'Rien à lire.',
    noVoice: 'La voix du navigateur n\'est pas disponible : ', title: 'Fiche complétée',
    done: 'Fiche complétée le ', locale: 'fr-FR', file: 'fiche-completee.html',
    saved: 'La fiche complétée est enregistrée dans les téléchargements (fiche-completee.html).',
    confirm: 'Effacer toutes les réponses de cette fiche ?', cleared: 'Les réponses sont effacées.'
  };
  function all(selector, under) {
    return Array.prototype.slice.call((under || document).querySelectorAll(selector));
  }
  function byId(id) { return document.getElementById(P + '-' + id); }
  var key = 'liseur-answers-' + root.getAttribute('data-page');
  var fields = all('[data-answer]');
  var status = byId('answer-status');
  function say(text) { if (status) status.textContent = text; }
  function isGroup(f) { return f.classList.contains(P + '-choices'); }
  function options(f) { return all('.' + P + '-choice', f); }
  function isOn(o) { return o.type === 'radio' ? o.checked : o.getAttribute('aria-pressed') === 'true'; }
  function valueOf(f) {
    if (f.type === 'checkbox') return f.checked;
    if (isGroup(f)) return options(f).findIndex(isOn);
    return f.value;
  }
  function setValue(f, v) {
    if (f.type === 'checkbox') f.checked = v === true;
    else if (isGroup(f))
      options(f).forEach(function (o, k) {
        if (o.type === 'radio') o.checked = k === v;
        else o.setAttribute('aria-pressed', String(k === v));
      });
    else f.value = typeof v === 'string' ? v : '';
  }
  function save() {
    var values = {};
    fields.forEach(function (f) { values[f.getAttribute('data-answer')] = valueOf(f); });
    try { localStorage.setItem(key, JSON.stringify(values)); } catch (e) { say(T.keep); }
  }
  function load() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { saved = null; }
    if (!saved) return;
    fields.forEach(function (f) {
      var v = saved[f.getAttribute('data-answer')];
      // Large-print pages made before this script kept each control under its id.
      if (v === undefined && isGroup(f)) {
        var k = options(f).findIndex(function (o) { return saved[o.id] === true; });
        if (k >= 0) v = k;
      } else if (v === undefined) v = saved[f.id];
      if (v !== undefined) setValue(f, v);
    });
  }
  fields.forEach(function (f) {
    f.addEventListener('input', save);
    f.addEventListener('change', save);
  });
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('.' + P + '-choice');
    if (!b || b.type === 'radio') return;  // a radio button is a field's own change
    var group = b.closest('.' + P + '-choices');
    var was = b.getAttribute('aria-pressed') === 'true';
    options(group).forEach(function (o) { o.setAttribute('aria-pressed', 'false'); });
    b.setAttribute('aria-pressed', String(!was));
    save();
  });

  // Hearing.
  function speak(text, lang) {
    if (!text) { say(T.nothing); return; }
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) {
      say(T.noVoice + text);
      return;
    }
    speechSynthesis.cancel();
    var u = new SpeechSynthesisUtterance(text);
    u.lang = lang || document.documentElement.lang || 'fr';
    speechSynthesis.speak(u);
    say(text);
  }
  function lastWord(t) { var m = t.trim().match(/(\S+)\s*$/); return m ? m[1] : ''; }
  function lastLetter(t) { var c = Array.from(t.replace(/\s+$/, '')); return c.length ? c[c.length - 1] : ''; }
  function question(f) {
    var line = f.closest('.' + P + '-line');
    if (!line) return;
    var button = line.querySelector('.' + P + '-say');
    if (button) { button.click(); return; }
    speak(all('.' + P + '-word:not(.' + P + '-covered)', line)
              .map(function (w) { return w.textContent; }).join(' '));
  }
  document.addEventListener('keydown', function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var f = e.target && e.target.closest && e.target.closest('[data-answer]');
    if (!f) return;
    var text = typeof valueOf(f) === 'string' ? valueOf(f) : '';
    var k = e.key.toLowerCase();
    if (k === 'r') speak(text);
    else if (k === 'm') speak(lastWord(text));
    else if (k === 'l') speak(lastLetter(text));
    else if (k === 'q') question(f);
    else return;
    e.preventDefault();
  });
  all('.' + P + '-answer-say').forEach(function (b) {
    b.addEventListener('click', function () {
      var f = document.getElementById(b.getAttribute('data-for'));
      speak(f ? String(valueOf(f)) : '');
    });
  });

  // The sheet with its answers, as one printable HTML file without script.
  function esc(t) {
    return String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
                    .replace(/"/g, '&quot;');
  }
  function exportHtml() {
    var main = byId('text').cloneNode(true);
    all('.' + P + '-say, .' + P + '-answer-say, .' + P + '-covered', main)
      .forEach(function (n) { n.remove(); });
    all('[hidden]', main).forEach(function (n) { n.hidden = false; });
    all('.' + P + '-masked', main).forEach(function (n) { n.classList.remove(P + '-masked'); });
    // Words as plain text (no syllable spans): the file is for reading and printing.
    all('.' + P + '-word', main).forEach(function (w) {
      w.replaceWith(document.createTextNode(w.textContent));
    });
    all('[data-answer]', main).forEach(function (copy) {
      var f = document.getElementById(copy.id);
      var v = valueOf(f), out = document.createElement('span');
      out.className = 'answer';
      if (f.type === 'checkbox') out.textContent = v ? '\u2611' : '\u2610';
      else if (isGroup(f))
        out.innerHTML = options(f).map(function (o) {
          var on = isOn(o);
          var text = o.type === 'radio' && o.labels && o.labels.length ? o.labels[0].textContent.trim()
                                                                       : o.textContent;
          return (on ? '<b>\u2611 ' : '\u2610 ') + esc(text) + (on ? '</b>' : '');
        }).join(' &nbsp; ');
      else {
        out.textContent = v || ' ';
        if (f.tagName === 'TEXTAREA') out.className = 'answer lines';
      }
      copy.replaceWith(out);
    });
    var own = root.getAttribute('data-answers-export') === 'page';
    var css = own
      ? all('style').map(function (s) { return s.textContent; }).join('\n') +
        '\n.answer { font-weight: bold; border-bottom: 0.08em dashed currentColor; padding: 0 0.2em; }' +
        ' .answer.lines { display: block; white-space: pre-wrap; min-height: 1.5em; margin: 0.2em 0 0.6em; }' +
        ' @media print { :root { --fg: #000000; --bg: #ffffff; } }\n'
      : 'body { font: 14pt "DejaVu Sans", sans-serif; line-height: 1.6;' +
        ' max-width: 40em; margin: 1em auto; } .' + P + '-line { display: block; } .answer { color: #0645ad;' +
        ' font-family: "DejaVu Sans Mono", monospace; border-bottom: 1px dashed #555; padding: 0 0.3em; }' +
        ' .answer.lines { display: block; white-space: pre-wrap; min-height: 1.6em; margin: 0.3em 0 1em; }';
    var sheet = '<p>' + T.done + esc(new Date().toLocaleDateString(T.locale)) + '</p>\n' +
                main.innerHTML;
    return '<!DOCTYPE html>\n<html lang="' + esc(document.documentElement.lang) + '">\n<head>\n' +
      '<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">\n' +
      '<title>' + esc(T.title) + '</title>\n<style>' + css + '</style>\n</head>\n<body>\n' +
      (own ? '<main>\n' + sheet + '\n</main>' : sheet) + '\n</body>\n</html>\n';
  }
  window.liseurExportHtml = exportHtml;
  var exportButton = byId('export');
  if (exportButton) exportButton.addEventListener('click', function () {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([exportHtml()], { type: 'text/html' }));
    a.download = T.file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    say(T.saved);
  });
  var clearButton = byId('clear');
  if (clearButton) clearButton.addEventListener('click', function () {
    if (!window.confirm(T.confirm)) return;
    fields.forEach(function (f) { setValue(f, f.type === 'checkbox' ? false : isGroup(f) ? -1 : ''); });
    try { localStorage.removeItem(key); } catch (e) {}
    say(T.cleared);
  });
  load();
})();
)JS";

// ` data-page="…" data-answers="P" data-answers-lang="fr|en" data-answers-export="plain|page"`,
// for the element that holds the page's id (the script finds it by [data-answers]).
inline std::string rootAttributes(const View& v) {
  return " data-page=\"" + html::escape(v.page) + "\" data-answers=\"" + html::escape(v.prefix) +
         "\" data-answers-lang=\"" + (v.english ? "en" : "fr") + "\" data-answers-export=\"" +
         (v.ownLook ? "page" : "plain") + "\"";
}

// The button that reads field `fieldId` back (what Alt+R does in it).
inline std::string sayButton(const View& v, std::string_view fieldId) {
  const std::string hear = v.english ? "Hear my answer"
                                     : "\xC3\x89"
                                       "couter ma r\xC3\xA9ponse";
  return "<button type=\"button\" class=\"" + html::escape(v.prefix) + "-answer-say\" data-for=\"" +
         html::escape(fieldId) + "\" title=\"" + hear + " (Alt+R)\" aria-label=\"" + hear + "\">" +
         (v.english ? "Read" : "Lire") + "</button>";
}

// The toolbar's answer controls, one a line: #P-export, #P-clear and the status line
// #P-answer-status (role status, aria-live polite) where the script says what it did.
inline std::string controls(const View& v) {
  const std::string p = html::escape(v.prefix);
  if (v.english)
    return "<button id=\"" + p +
           "-export\" type=\"button\" title=\"Save the sheet with my answers, to print or send "
           "it\">Export</button>\n<button id=\"" +
           p +
           "-clear\" type=\"button\" title=\"Clear all my answers\">Clear</button>\n<span id=\"" +
           p + "-answer-status\" role=\"status\" aria-live=\"polite\"></span>\n";
  return "<button id=\"" + p +
         "-export\" type=\"button\" title=\"Enregistrer la fiche avec mes "
         "r\xC3\xA9ponses, pour l'imprimer ou l'envoyer\">Exporter</button>\n<button id=\"" +
         p + "-clear\" type=\"button\" title=\"Effacer toutes mes r\xC3\xA9ponses\">" +
         "Effacer</button>\n<span id=\"" + p +
         "-answer-status\" role=\"status\" aria-live=\"polite\"></span>\n";
}

}  // namespace liseur::sdk::answers

#endif  // LISEUR_ANSWERS_HPP
