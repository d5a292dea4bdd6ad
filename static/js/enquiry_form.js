// Step 1 of the enquiry form: ask "what the licence is for" only when the kind is a licence.
// Without JavaScript the question simply stays visible; the server checks it either way.
(function () {
  const subject = document.getElementById("div_id_licence_subject");
  const kinds = document.querySelectorAll('input[name="kind"]');
  if (!subject || !kinds.length) return;
  function sync() {
    const chosen = document.querySelector('input[name="kind"]:checked');
    subject.hidden = !(chosen && chosen.value === "licence");
  }
  kinds.forEach((input) => input.addEventListener("change", sync));
  sync();
})();
