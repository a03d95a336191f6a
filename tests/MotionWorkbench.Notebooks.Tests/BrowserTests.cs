using Microsoft.Playwright;
using MotionWorkbench.Notebooks.Export;

namespace MotionWorkbench.Notebooks.Tests;

/// <summary>
/// Opens an exported report in Debian's chromium through Playwright (never a downloaded browser) and checks that every
/// figure rendered (plotly's <c>.main-svg</c>) with no page errors; the screenshot is saved under the test output folder
/// (bin/Release/net10.0/screenshots/figures-report.png).
/// </summary>
[Collection("executed")]
public sealed class BrowserTests(ExecutedNotebooks executed)
{
    [BrowserFact]
    public async Task ExportedReport_RendersEveryFigure_WithoutPageErrors()
    {
        Assert.True(executed.Figures.Succeeded, executed.Figures.FailureMessage);
        string report = executed.Files.PathOf("figures.html");
        HtmlReport.Write(executed.Figures.Executed, report, plotlyBundle: PlotlyBundle.Path);

        string profile = Path.Combine(executed.Files.Directory, "chromium-profile");
        using var playwright = await Playwright.CreateAsync();
        await using var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add("page error: " + e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add("console error: " + m.Text); };
        page.RequestFailed += (_, r) => errors.Add("request failed: " + r.Url);

        await page.GotoAsync(new Uri(report).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        int figures = await page.Locator("div.figure").CountAsync();
        Assert.Equal(5, figures);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('div.figure')].every(d => d.querySelector('.main-svg'))",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        int plotted = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('div.figure')].filter(d => d.querySelector('.main-svg')).length");
        Assert.Equal(figures, plotted);
        Assert.True(await page.Locator(".hm, .heatmaplayer image").CountAsync() > 0, "no heatmap layer was drawn");
        Assert.True(await page.Locator(".imagelayer image").CountAsync() > 0, "no image trace was drawn");
        Assert.Equal(0, await page.Locator(".plotly-missing").CountAsync());

        string shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        string screenshot = Path.Combine(shots, "figures-report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
        Assert.Empty(errors);
    }
}
