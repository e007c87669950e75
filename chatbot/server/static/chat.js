// The chat page's script: sends each question with the last reply's context token and shows
// the reply. Every text from the server or the user is inserted with textContent, never as HTML.
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const button = form.querySelector("button");
  const status = document.getElementById("status");
  // The conversation lives in this token: the server keeps nothing between questions.
  let token = null;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function addTurn(node) {
    log.appendChild(node);
    node.scrollIntoView({ block: "end" });
  }

  function retireOptions() {
    // Numbers refer to the latest reply only: older buttons would pick from the wrong list.
    for (const old of log.querySelectorAll("button.option")) old.disabled = true;
  }

  function optionList(heading, labels) {
    const wrapper = element("div", "options-block");
    wrapper.appendChild(element("p", "options-heading", heading));
    const list = element("ol", "options");
    labels.forEach(function (label, index) {
      const item = element("li");
      const option = element("button", "option", label);
      option.type = "button";
      // "2" picks the second suggestion or choice of this reply, as typed in the terminal.
      option.addEventListener("click", function () { ask(String(index + 1), label); });
      item.appendChild(option);
      list.appendChild(item);
    });
    wrapper.appendChild(list);
    return wrapper;
  }

  function showReply(data) {
    const turn = element("li", "turn bot");
    if (data.note) turn.appendChild(element("p", "note", data.note));
    const context = data.context || {};
    if (context.used) {
      const meaning = context.resolved ? "Taken as: " + context.resolved : "Used the conversation so far.";
      turn.appendChild(element("p", "note context-note", meaning));
    }
    turn.appendChild(element("p", "answer", data.answer));
    if (data.kind === "clarify" && Array.isArray(data.choices) && data.choices.length) {
      turn.appendChild(optionList("Did you mean:", data.choices.map(function (c) { return c.question; })));
    } else if (Array.isArray(data.suggestions) && data.suggestions.length) {
      const heading = data.intent ? "You could also ask:" : "Closest questions I know:";
      turn.appendChild(optionList(heading, data.suggestions));
    }
    addTurn(turn);
  }

  function showError(message) {
    addTurn(element("li", "turn bot error", message));
  }

  async function ask(question, shown) {
    retireOptions();
    addTurn(element("li", "turn user", shown || question));
    button.disabled = true;
    status.textContent = "Thinking…";
    try {
      const response = await fetch("v1/ask", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question: question, context: token }),
      });
      let data = null;
      try { data = await response.json(); } catch (ignored) { data = null; }
      if (response.ok && data) {
        token = data.context && data.context.token ? data.context.token : null;
        showReply(data);
        status.textContent = "";
      } else {
        // A refused token would be refused again: the next question starts afresh.
        if (response.status === 400) token = null;
        showError((data && data.error) || "The server could not answer (" + response.status + ").");
        status.textContent = "";
      }
    } catch (failure) {
      showError("Could not reach the server. Check the connection and ask again.");
      status.textContent = "";
    } finally {
      button.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || button.disabled) return;
    input.value = "";
    ask(question);
  });
  input.focus();
})();
