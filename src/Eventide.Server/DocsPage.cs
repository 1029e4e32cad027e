using System.Text;

namespace Eventide.Server;

/// <summary>
/// Serves the browsable API docs at <c>/docs</c> itself. Swagger UI lives
/// under <c>/docs/</c> and answers <c>/docs</c> with a bare redirect, which a
/// curl user sees as an empty answer. Its page links its files relatively
/// (<c>./index.css</c>, <c>index.js</c>), so the page served at <c>/docs</c>
/// gets a <c>&lt;base href="/docs/"&gt;</c> first in its head, and every link
/// resolves as it does under <c>/docs/</c>.
/// </summary>
public static class DocsPage
{
    private const string Path = "/docs";

    public static IApplicationBuilder UseDocsPageWithoutRedirect(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || !string.Equals(context.Request.Path.Value, Path, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }
            context.Request.Path = Path + "/index.html";
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
            }
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                html = html.Replace("<head>", $"<head>\n    <base href=\"{Path}/\">", StringComparison.Ordinal);
            }
            var bytes = Encoding.UTF8.GetBytes(html);
            context.Response.ContentLength = bytes.Length;
            await original.WriteAsync(bytes, context.RequestAborted);
        });
}
