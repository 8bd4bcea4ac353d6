// kindstep's guided timer. It only adds to the Move page: without JavaScript
// that page is a plain log form. Cues come from the page (kindstep's guides),
// shown at their offsets; the clock counts down; pausing and stopping early
// are always fine, and the log form below is filled in with the minutes done.
(function () {
  "use strict";

  function init(root) {
    var timer = (root || document).querySelector ? (root || document).querySelector("#timer") : null;
    if (!timer || timer.dataset.ready) return;
    timer.dataset.ready = "1";
    var data = JSON.parse(document.getElementById("guide-data").textContent);
    var clock = document.getElementById("clock");
    var cue = document.getElementById("cue");
    var start = document.getElementById("start");
    var pause = document.getElementById("pause");
    var stop = document.getElementById("stop");
    var minutesInput = document.getElementById("minutes");
    var hint = document.getElementById("no-js-hint");
    var speed = Number(timer.dataset.speed || 1);
    var total = 0, elapsed = 0, lastTick = 0, running = false, handle = null, schedule = [], next = 0;
    var underway = false; // started and not yet finished: running or paused

    timer.hidden = false;
    if (hint) hint.textContent = "Or log it here any time, with or without the timer.";

    function chosenMinutes() {
      var checked = timer.querySelector('input[name="length"]:checked');
      return checked ? Number(checked.value) : Number(timer.dataset.minutes || 10);
    }

    function show(seconds) {
      var left = Math.max(0, Math.ceil(total - seconds));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    }

    function buildSchedule(minutes) {
      var given = data.schedules[String(minutes)];
      if (given) return given;
      // A length the page did not plan for: spread the cues evenly.
      var out = [[0, data.intro]], step = Math.max(15, Math.floor((minutes * 60) / (data.cues.length + 2)));
      for (var i = 0; i < data.cues.length; i++) out.push([step * (i + 1), data.cues[i]]);
      out.push([Math.max(step * (data.cues.length + 1), minutes * 60 - 15), data.closing]);
      return out;
    }

    function finish(early) {
      running = false;
      underway = false;
      clearInterval(handle);
      var done = Math.max(1, Math.round(elapsed / 60));
      if (minutesInput) minutesInput.value = String(done);
      cue.textContent = early
        ? "Stopping here is fine. The form below has the " + done + " minute" + (done === 1 ? "" : "s") + " you did, ready to log."
        : data.closing + " The form below is ready when you are.";
      start.hidden = false;
      start.textContent = "Start again";
      pause.hidden = true;
      stop.hidden = true;
      var form = document.getElementById("move-log");
      if (form) form.scrollIntoView({ block: "start" });
    }

    function tick() {
      var now = performance.now();
      elapsed += ((now - lastTick) / 1000) * speed;
      lastTick = now;
      while (next < schedule.length && schedule[next][0] <= elapsed) {
        cue.textContent = schedule[next][1];
        next++;
      }
      show(elapsed);
      if (elapsed >= total) finish(false);
    }

    start.addEventListener("click", function () {
      var minutes = chosenMinutes();
      total = minutes * 60;
      elapsed = 0;
      next = 0;
      schedule = buildSchedule(minutes);
      running = true;
      underway = true;
      lastTick = performance.now();
      start.hidden = true;
      pause.hidden = false;
      pause.textContent = "Pause";
      stop.hidden = false;
      tick();
      handle = setInterval(tick, 250);
    });

    pause.addEventListener("click", function () {
      if (running) {
        running = false;
        clearInterval(handle);
        pause.textContent = "Carry on";
        cue.textContent = "Paused. Take all the time you need.";
      } else {
        running = true;
        lastTick = performance.now();
        pause.textContent = "Pause";
        handle = setInterval(tick, 250);
      }
    });

    stop.addEventListener("click", function () { finish(true); });

    timer.addEventListener("change", function (event) {
      if (event.target.name !== "length") return;
      var minutes = Number(event.target.value);
      total = minutes * 60;
      if (!underway) {
        show(0);
        return;
      }
      // Part-way (running or paused): the time already moved still counts. The clock shows what is
      // left of the new length and the cues carry on from here, none of them repeated.
      schedule = buildSchedule(minutes);
      next = 0;
      while (next < schedule.length && schedule[next][0] <= elapsed) next++;
      if (elapsed >= total) {
        finish(false);
        return;
      }
      show(elapsed);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(document); });
})();
