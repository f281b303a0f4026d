/* The site's search page: answers its form (?q=…&topic=…) with the Pagefind index at
   the site root (pagefind/), which holds the leaflets of the page's language (Pagefind
   picks the index by <html lang>). A classic script, not a module: where Pagefind
   cannot load (a page opened from a folder or USB stick: file://), it still runs and
   says so. Every sentence comes from the page (#search-status data-*), in its
   language; every link it writes is relative, so the site works from any folder. */
(function () {
  "use strict";
  var PAGE_SIZE = 10;
  // The way from this page to the site root, as the page wrote this script's address
  // (<root>scripts/search.js): every link the results get starts with it.
  var prefix = document.currentScript.getAttribute("src").replace(/scripts\/search\.js.*$/, "");
  var root = new URL(prefix || "./", location.href);
  var form = document.querySelector(".search-form");
  var words = document.getElementById("search-words");
  var topic = document.getElementById("search-topic");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var number = new Intl.NumberFormat(document.documentElement.lang);
  var pagefind = null;
  var latest = 0;  // a newer search makes an older one's results stale

  // A sentence of the page with its {names} filled in, each value isolated in its own
  // direction (FSI … PDI): an English word in an Arabic sentence stays in its place.
  function say(name, values) {
    var text = status.dataset[name] || "";
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? "\u2068" + values[key] + "\u2069" : all;
    });
  }

  // The link from this page to a file of the site, named from its root ("en/x/index.html").
  function fromHere(path) {
    return prefix + path.replace(/^\//, "");
  }

  function element(name, className, text) {
    var made = document.createElement(name);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  // Pagefind's excerpt is the page's text (its < and > escaped) with <mark>s: keep those.
  function excerpt(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = element("p", "excerpt", "… ");  // a piece of the leaflet, from mid-sentence
    parsed.body.firstChild.childNodes.forEach(function (node) {
      out.appendChild(node.nodeName === "MARK" ? element("mark", "", node.textContent)
        : document.createTextNode(node.textContent));
    });
    out.appendChild(document.createTextNode(" …"));
    return out;
  }

  function wordsOf(text) {
    return text.toLocaleLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // Whether the excerpt is mostly the title and summary, which the result shows already
  // (the words found are in them): most of its runs of three words are theirs. Text
  // not split by spaces (Chinese, Japanese) has no such runs: its excerpt is shown.
  function repeats(shown, masthead) {
    var own = " " + wordsOf(masthead).join(" ") + " ";
    var its = wordsOf(shown);
    var runs = its.length - 2;
    var shared = 0;
    for (var at = 0; at < runs; at++) {
      if (own.includes(" " + its.slice(at, at + 3).join(" ") + " ")) shared++;
    }
    return runs > 0 && shared * 2 > runs;
  }

  function topicLinks(names) {
    // The topic list's choices: each topic's page and its name as the topics pages write it.
    var options = {};
    if (topic) topic.querySelectorAll("option[data-page]").forEach(function (option) {
      options[option.value] = option;
    });
    var line = element("p", "result-topics", say("topicsLabel", {}) + " ");
    (names || []).forEach(function (name, index) {
      if (index) line.appendChild(document.createTextNode(say("between", {})));
      var option = options[name];
      var link = element(option ? "a" : "span", "", option ? option.textContent.trim() : name);
      if (option) link.href = option.dataset.page;
      line.appendChild(link);
    });
    return names && names.length ? line : null;
  }

  function card(data) {
    var item = element("li", "card search-result");
    var meta = data.meta || {};
    if (meta.image) {
      var picture = element("img", "thumbnail");
      picture.src = fromHere(meta.image);
      picture.alt = "";  // the title beside it names the leaflet
      picture.loading = "lazy";
      item.appendChild(picture);
    }
    var body = element("div", "card-body");
    var heading = element("h2", "card-title");
    var link = element("a", "", meta.title || data.raw_url);
    link.href = fromHere(data.raw_url || data.url);
    heading.appendChild(link);
    body.appendChild(heading);
    if (meta.summary) body.appendChild(element("p", "summary", meta.summary));
    var found = data.excerpt ? excerpt(data.excerpt) : null;
    if (found && !repeats(found.textContent, (meta.title || "") + " " + (meta.summary || ""))) {
      body.appendChild(found);
    }
    var topics = topicLinks((data.filters || {}).topic);
    if (topics) body.appendChild(topics);
    item.appendChild(body);
    return item;
  }

  function showMore(results, shown, search) {
    var old = document.getElementById("search-more");
    if (old) old.remove();
    if (shown >= results.length) return;
    var button = element("button", "search-more", say("more", {}));
    button.type = "button";
    button.id = "search-more";
    button.addEventListener("click", function () {
      show(results, shown, search).then(function (first) { if (first) first.focus(); });
    });
    list.after(button);
  }

  // Draws results[from …] and returns the first new link (for focus after "more").
  function show(results, from, search) {
    var slice = results.slice(from, from + PAGE_SIZE);
    return Promise.all(slice.map(function (result) { return result.data(); }))
      .then(function (all) {
        if (search !== latest) return null;
        var cards = all.map(card);
        cards.forEach(function (made) { list.appendChild(made); });
        showMore(results, from + slice.length, search);
        return cards.length ? cards[0].querySelector("a") : null;
      });
  }

  function run(query, chosen) {
    var search = ++latest;
    list.textContent = "";
    showMore([], 0, search);
    if (!query && !chosen) { status.textContent = ""; return Promise.resolve(); }
    status.textContent = say("searching", {});
    status.dataset.state = "searching";  // for tests and styles, in any language
    var options = chosen ? { filters: { topic: chosen } } : {};
    return pagefind.search(query || null, options).then(function (found) {
      if (search !== latest) return null;
      var results = found.results;
      var count = number.format(results.length);
      var said = !results.length ? say("none", { query: query || chosen })
        : query ? say("found", { query: query, count: count })
          : say("topic", { topic: chosen, count: count });
      // Said once the results are drawn: a screen reader hears it, then finds them.
      return show(results, 0, search).then(function () {
        if (search !== latest) return;
        status.textContent = said;
        status.dataset.state = "answered";
      });
    });
  }

  function fail(error) {
    if (window.console) console.warn("Search could not load:", error);
    form.hidden = true;
    status.textContent = say(location.protocol === "file:" ? "file" : "failed", {});
  }

  function fromAddress(starting) {
    var params = new URLSearchParams(location.search);
    // Words a reader typed while the search was still loading are kept, not wiped by an
    // address that names none: they are searched for at once.
    if (!(starting && !params.has("q") && words.value.trim())) {
      words.value = params.get("q") || "";
      if (topic) topic.value = params.get("topic") || "";
    }
    return run(words.value.trim(), topic ? topic.value : "");
  }

  function submitted(event) {
    event.preventDefault();
    var params = new URLSearchParams();
    var query = words.value.trim();
    if (query) params.set("q", query);
    if (topic && topic.value) params.set("topic", topic.value);
    // The address names the search: it can be shared, and Back returns to it.
    var address = params.toString() ? "?" + params.toString() : "";
    if (address !== location.search) history.pushState(null, "", address || location.pathname);
    run(query, topic ? topic.value : "").catch(fail);
  }

  import(new URL("pagefind/pagefind.js", root).href).then(function (loaded) {
    pagefind = loaded;
    return pagefind.options({ excerptLength: 24 });
  }).then(function () {
    form.addEventListener("submit", submitted);
    if (topic) topic.addEventListener("change", function () { form.requestSubmit(); });
    window.addEventListener("popstate", function () { fromAddress(false).catch(fail); });
    return fromAddress(true);
  }).catch(fail);
}());
