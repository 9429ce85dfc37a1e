// Loaded as a classic, blocking script at the start of <body> (no inline script:
// the Content Security Policy forbids it). Tells GOV.UK Frontend's CSS that
// JavaScript is on and, where ES modules are supported, that its components
// will be initialised, before the page is first painted.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
