// Swagger UI start-up, served as a file so the docs page needs no inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/?format=json",
    dom_id: "#swagger-ui",
    persistAuthorization: true,
    displayRequestDuration: true,
    deepLinking: true,
  });
});
