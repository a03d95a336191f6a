using System.Globalization;
using System.Net;
using System.Text;
using MotionWorkbench.Data;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.Patches;
using MotionWorkbench.Render.Views;

namespace MotionWorkbench.Visuals;

/// <summary>How a skeleton animation is drawn.</summary>
/// <param name="Width">Canvas width in CSS pixels.</param>
/// <param name="Height">Canvas height in CSS pixels.</param>
/// <param name="View">Initial camera: "oblique" (azimuth 35 deg, elevation 20 deg), "front" (looking at the +Z-facing
/// body from +Z) or "side" (from +X); the page has a selector to switch.</param>
/// <param name="Autoplay">Start playing when the page opens.</param>
public sealed record SkeletonAnimationOptions(int Width = 420, int Height = 420, string View = "oblique", bool Autoplay = true);

/// <summary>
/// A motion as a self-contained skeleton stick-figure animation: an HTML fragment (a <c>div</c> with a canvas and
/// an inline script; no network, no external files) with play/pause, a frame slider, a view selector
/// (oblique / front / side; orthographic, Y up, fitted to the whole motion), a floor grid at the lowest point
/// of the motion with the root's path drawn on it, and bones coloured by body part (the colours of
/// <see cref="PatchColours.PartColour"/>) with a legend naming the parts. Bones of joints that belong to no
/// chain are grey. Positions are scaled to the motion's height and stored as integers (1/1000 of it).
/// </summary>
public static class SkeletonAnimation
{
    private static int counter;

    /// <summary>An HTML fragment (embed it in a page or a notebook output).</summary>
    public static string ToHtml(MotionClip clip, SkeletonAnimationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clip);
        options ??= new SkeletonAnimationOptions();
        if (options.Width < 100 || options.Height < 100) throw new ArgumentException($"animation canvas must be at least 100 x 100, got {options.Width} x {options.Height}");
        if (options.View is not ("oblique" or "front" or "side")) throw new ArgumentException($"view must be oblique, front or side, got '{options.View}'");
        string id = "mwanim" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append($"<div id=\"{id}\" class=\"mw-anim\" style=\"display:inline-block;font:13px system-ui,sans-serif;color:#222;\">\n");
        sb.Append($"<canvas width=\"{options.Width}\" height=\"{options.Height}\" style=\"background:#fafafa;border:1px solid #ccc;display:block\"></canvas>\n");
        sb.Append("<div style=\"margin-top:4px;display:flex;gap:6px;align-items:center\">");
        sb.Append("<button type=\"button\" data-role=\"play\" style=\"width:4.5em\">pause</button>");
        sb.Append($"<input type=\"range\" data-role=\"slider\" min=\"0\" max=\"{clip.Frames - 1}\" value=\"0\" style=\"flex:1\">");
        sb.Append("<select data-role=\"view\">");
        foreach (var v in new[] { "oblique", "front", "side" })
            sb.Append($"<option value=\"{v}\"{(v == options.View ? " selected" : "")}>{v}</option>");
        sb.Append("</select></div>\n");
        sb.Append("<div data-role=\"label\" style=\"font-variant-numeric:tabular-nums\"></div>\n");
        sb.Append("<div style=\"margin-top:2px\">");
        for (int p = 0; p < PatchOptions.PartCount; p++)
            sb.Append($"<span style=\"margin-right:10px\"><span style=\"display:inline-block;width:12px;height:12px;background:{PatchColours.PartCss((BodyPart)p)};vertical-align:middle;margin-right:3px\"></span>{PatchColours.PartNames[p]}</span>");
        sb.Append("</div>\n");

        // Data: positions relative to the motion's centre, in 1/1000 of its height.
        var (scaled, floor) = Scale(clip);
        sb.Append("<script>\n(function(){\n");
        sb.Append($"const root=document.getElementById('{id}');\n");
        sb.Append($"const T={clip.Frames},J={clip.JointCount},fps={clip.Fps.ToString("R", ci)},floorY={floor.ToString("R", ci)};\n");
        sb.Append("const P=[");
        for (int i = 0; i < scaled.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(scaled[i].ToString(ci));
        }
        sb.Append("];\n");
        var (bones, colours) = Bones(clip.Skeleton);
        sb.Append("const bones=[").Append(string.Join(",", bones.Select(b => $"[{b.Parent},{b.Child}]"))).Append("];\n");
        sb.Append("const colours=[").Append(string.Join(",", colours.Select(c => $"'{c}'"))).Append("];\n");
        sb.Append($"let playing={(options.Autoplay ? "true" : "false")};\n");
        sb.Append(Script);
        sb.Append("})();\n</script>\n</div>\n");
        return sb.ToString();
    }

    /// <summary>The animation as a notebook/report view.</summary>
    public static HtmlView ToView(MotionClip clip, SkeletonAnimationOptions? options = null) => new(ToHtml(clip, options));

    /// <summary>A complete HTML page holding the animation and the clip's id, frame count and first caption.</summary>
    public static string ToHtmlDocument(MotionClip clip, SkeletonAnimationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clip);
        string caption = clip.Captions.Count > 0 ? clip.Captions[0].Text : "";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
          .Append(WebUtility.HtmlEncode(clip.Id)).Append("</title></head>\n<body style=\"font:14px system-ui,sans-serif\">\n");
        sb.Append("<h3>").Append(WebUtility.HtmlEncode(Describe(clip))).Append("</h3>\n");
        if (caption.Length > 0) sb.Append("<p><i>").Append(WebUtility.HtmlEncode(caption)).Append("</i></p>\n");
        sb.Append(ToHtml(clip, options));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    internal static string Describe(MotionClip clip) =>
        string.Create(CultureInfo.InvariantCulture, $"{clip.Id}: {clip.Frames} frames at {clip.Fps:0.##} fps ({clip.DurationSeconds:0.0} s), {clip.Skeleton.Name}");

    /// <summary>Bones (parent, child) and the CSS colour of each: the part whose chain holds the child beyond its first joint.</summary>
    public static (List<(int Parent, int Child)> Bones, List<string> Colours) Bones(Skeleton skeleton)
    {
        var partOf = new int[skeleton.JointCount];
        Array.Fill(partOf, -1);
        for (int p = 0; p < skeleton.Chains.Count && p < PatchOptions.PartCount; p++)
        {
            var chain = skeleton.Chains[p];
            for (int i = 1; i < chain.Length; i++)
                if (partOf[chain[i]] < 0) partOf[chain[i]] = p;
        }
        var bones = new List<(int, int)>();
        var colours = new List<string>();
        for (int j = 0; j < skeleton.JointCount; j++)
        {
            int parent = skeleton.Parents[j];
            if (parent < 0) continue;
            bones.Add((parent, j));
            colours.Add(partOf[j] >= 0 ? PatchColours.PartCss((BodyPart)partOf[j]) : PatchColours.OtherCss);
        }
        return (bones, colours);
    }

    /// <summary>Positions as integers: (v - centre) / height x 1000, centre = middle of the bounding box; floor = lowest y.</summary>
    private static (int[] Scaled, float Floor) Scale(MotionClip clip)
    {
        var pos = clip.Positions;
        Span<float> lo = [float.MaxValue, float.MaxValue, float.MaxValue];
        Span<float> hi = [float.MinValue, float.MinValue, float.MinValue];
        for (int i = 0; i < pos.Length; i++)
        {
            int c = i % 3;
            lo[c] = Math.Min(lo[c], pos[i]);
            hi[c] = Math.Max(hi[c], pos[i]);
        }
        // Body height: the largest per-frame vertical extent (robust to a motion that moves up or down).
        int J = clip.JointCount;
        float height = 0f;
        for (int t = 0; t < clip.Frames; t++)
        {
            float a = float.MaxValue, b = float.MinValue;
            for (int j = 0; j < J; j++) { float y = pos[(t * J + j) * 3 + 1]; a = Math.Min(a, y); b = Math.Max(b, y); }
            height = Math.Max(height, b - a);
        }
        if (!(height > 0)) height = Math.Max(1e-6f, Math.Max(hi[0] - lo[0], hi[2] - lo[2]));
        if (!(height > 0)) height = 1f;
        var centre = new float[3];
        for (int c = 0; c < 3; c++) centre[c] = (lo[c] + hi[c]) / 2;
        var scaled = new int[pos.Length];
        for (int i = 0; i < pos.Length; i++)
            scaled[i] = (int)MathF.Round((pos[i] - centre[i % 3]) / height * 1000f);
        return (scaled, MathF.Round((lo[1] - centre[1]) / height * 1000f));
    }

    // The player. Expects root, T, J, fps, floorY, P, bones, colours, playing. Orthographic camera: rotate about Y
    // by the azimuth, tilt by the elevation; screen x = rotated x, screen y = up; depth sorts the bones.
    private const string Script = """
const canvas=root.querySelector('canvas'),ctx=canvas.getContext('2d');
const btn=root.querySelector('[data-role=play]'),slider=root.querySelector('[data-role=slider]');
const sel=root.querySelector('[data-role=view]'),label=root.querySelector('[data-role=label]');
const views={oblique:[35,20],front:[0,0],side:[90,0]};
let frame=0,last=null,acc=0,fit=null;
function proj(x,y,z){const v=views[sel.value],a=v[0]*Math.PI/180,e=v[1]*Math.PI/180;
 const x1=Math.cos(a)*x-Math.sin(a)*z,z1=Math.sin(a)*x+Math.cos(a)*z;
 return [x1,Math.cos(e)*y-Math.sin(e)*z1,Math.sin(e)*y+Math.cos(e)*z1];}
let gx0=Infinity,gx1=-Infinity,gz0=Infinity,gz1=-Infinity;
for(let i=0;i<P.length;i+=3){gx0=Math.min(gx0,P[i]);gx1=Math.max(gx1,P[i]);gz0=Math.min(gz0,P[i+2]);gz1=Math.max(gz1,P[i+2]);}
const step=500;gx0=Math.floor((gx0-250)/step)*step;gx1=Math.ceil((gx1+250)/step)*step;gz0=Math.floor((gz0-250)/step)*step;gz1=Math.ceil((gz1+250)/step)*step;
function computeFit(){let a=Infinity,b=-Infinity,c=Infinity,d=-Infinity;
 const add=(p)=>{a=Math.min(a,p[0]);b=Math.max(b,p[0]);c=Math.min(c,p[1]);d=Math.max(d,p[1]);};
 for(let i=0;i<P.length;i+=3)add(proj(P[i],P[i+1],P[i+2]));
 for(const x of [gx0,gx1])for(const z of [gz0,gz1])add(proj(x,floorY,z));
 const m=16,s=Math.min((canvas.width-2*m)/Math.max(b-a,1),(canvas.height-2*m)/Math.max(d-c,1));
 fit={s:s,ox:m+((canvas.width-2*m)-(b-a)*s)/2-a*s,oy:canvas.height-m-((canvas.height-2*m)-(d-c)*s)/2+c*s};}
function scr(p){return [fit.ox+p[0]*fit.s,fit.oy-p[1]*fit.s];}
function line(p,q){const a=scr(p),b=scr(q);ctx.beginPath();ctx.moveTo(a[0],a[1]);ctx.lineTo(b[0],b[1]);ctx.stroke();}
function draw(){if(!fit)computeFit();ctx.clearRect(0,0,canvas.width,canvas.height);
 ctx.strokeStyle='#d8d8d8';ctx.lineWidth=1;
 for(let x=gx0;x<=gx1;x+=step)line(proj(x,floorY,gz0),proj(x,floorY,gz1));
 for(let z=gz0;z<=gz1;z+=step)line(proj(gx0,floorY,z),proj(gx1,floorY,z));
 ctx.strokeStyle='#b0b0b0';ctx.lineWidth=1.5;ctx.beginPath();
 for(let t=0;t<T;t++){const o=t*J*3,s=scr(proj(P[o],floorY,P[o+2]));if(t==0)ctx.moveTo(s[0],s[1]);else ctx.lineTo(s[0],s[1]);}
 ctx.stroke();
 const o=frame*J*3,pts=[];for(let j=0;j<J;j++)pts.push(proj(P[o+3*j],P[o+3*j+1],P[o+3*j+2]));
 const sh=scr(proj(P[o],floorY,P[o+2]));ctx.fillStyle='rgba(0,0,0,0.12)';ctx.beginPath();ctx.ellipse(sh[0],sh[1],18,6,0,0,2*Math.PI);ctx.fill();
 const order=bones.map((b,i)=>i).sort((i,k)=>(pts[bones[i][0]][2]+pts[bones[i][1]][2])-(pts[bones[k][0]][2]+pts[bones[k][1]][2]));
 ctx.lineCap='round';ctx.lineWidth=4;
 for(const i of order){ctx.strokeStyle=colours[i];line(pts[bones[i][0]],pts[bones[i][1]]);}
 ctx.fillStyle='#333';for(const p of pts){const s=scr(p);ctx.beginPath();ctx.arc(s[0],s[1],2.2,0,2*Math.PI);ctx.fill();}
 slider.value=frame;label.textContent='frame '+(frame+1)+' / '+T+'   t = '+(frame/fps).toFixed(2)+' s';}
function tick(now){if(playing){if(last!==null){acc+=(now-last)/1000;const n=Math.floor(acc*fps);if(n>0){acc-=n/fps;frame=(frame+n)%T;draw();}}last=now;}else last=null;requestAnimationFrame(tick);}
btn.onclick=()=>{playing=!playing;btn.textContent=playing?'pause':'play';};
btn.textContent=playing?'pause':'play';
slider.oninput=()=>{frame=parseInt(slider.value,10);draw();};
sel.onchange=()=>{fit=null;draw();};
draw();requestAnimationFrame(tick);

""";
}
