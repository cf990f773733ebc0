// Product photos: drop or choose several, each uploaded on its own request so every file shows
// its own progress; the server answers the photo grid (with the file named if refused).
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (error) {
      return "";
    }
  }

  function progressRow(list, file) {
    var row = document.createElement("li");
    var name = document.createElement("span");
    var bar = document.createElement("progress");
    var status = document.createElement("span");
    name.textContent = file.name;
    bar.max = 100;
    bar.value = 0;
    status.className = "small muted";
    row.append(name, bar, status);
    list.append(row);
    return { bar: bar, status: status };
  }

  function swapGrid(html) {
    var grid = document.getElementById("product-photos");
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#product-photos");
    if (!grid || !fresh) return null;
    grid.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    return fresh.querySelector("[data-refused]");
  }

  function uploadOne(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("photos", file);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("HX-Request", "true");
      request.setRequestHeader("X-CSRFToken", csrfToken());
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) row.bar.value = (100 * event.loaded) / event.total;
      });
      request.addEventListener("load", function () {
        var refused = request.status === 200 ? swapGrid(request.responseText) : null;
        row.bar.value = 100;
        row.status.textContent = request.status !== 200
          ? "Not uploaded (" + request.status + "). Try again."
          : refused ? refused.textContent.trim() : "Uploaded";
        resolve();
      });
      request.addEventListener("error", function () {
        row.status.textContent = "The connection broke off. Try again.";
        resolve();
      });
      request.send(data);
    });
  }

  async function uploadAll(form, files) {
    var list = form.querySelector("[data-upload-progress]");
    var rows = Array.from(files).map(function (file) { return progressRow(list, file); });
    for (var index = 0; index < files.length; index += 1) {
      await uploadOne(form, files[index], rows[index]);
    }
  }

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadAll(form, Array.from(input.files));
      input.value = "";
    });
    input.addEventListener("change", function () {
      uploadAll(form, Array.from(input.files));
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("is-dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      uploadAll(form, Array.from(event.dataTransfer.files));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-product-upload]").forEach(setUp);
  });
})();
