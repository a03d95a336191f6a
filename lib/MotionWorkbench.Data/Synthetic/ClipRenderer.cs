namespace MotionWorkbench.Data.Synthetic;

/// <summary>
/// Renders a <see cref="ClipRecipe"/> into joint positions: per frame, the pose of the action playing (else standing,
/// or sitting after "sit down"), plus the recipe's style offsets and idle sway, by forward kinematics; the root
/// integrates the actions' root motion in the heading frame (gaits move it by their planted foot instead, anchored
/// actions keep their supporting foot where it was), and the lowest foot joint touches the floor. Draws no random
/// numbers: the same recipe always gives the same bytes.
/// </summary>
internal static class ClipRenderer
{
    /// <summary>The clip of a recipe: positions (T x J x 3) with the floor at y = 0 and the first-frame root at the XZ origin.</summary>
    public static (float[] Positions, int Frames) Render(ClipRecipe recipe, bool kit, float fps)
    {
        float total = recipe.Schedule();
        int T = Math.Max(2, (int)MathF.Floor(total * fps));
        var pos = RenderFrames(recipe, kit, fps, T);
        Canonicalize(pos, new BodyModel(kit, recipe.Subject).JointCount);
        return (pos, T);
    }

    /// <summary>
    /// <paramref name="T"/> frames of a scheduled recipe (<see cref="ClipRecipe.Schedule"/> sets the actions' starts),
    /// not canonicalised: the root starts at the origin facing +Z, feet on the floor frame by frame.
    /// </summary>
    public static float[] RenderFrames(ClipRecipe recipe, bool kit, float fps, int T)
    {
        var body = new BodyModel(kit, recipe.Subject);
        var acts = recipe.Acts;
        var style = recipe.Style;
        float swayPhase = recipe.SwayPhase;
        int J = body.JointCount;
        var pos = new float[T * J * 3];
        Span<float> pose = stackalloc float[P.Count];
        Span<float> frame = stackalloc float[J * 3];
        bool startsSitting = acts[0].Kind == ActionKind.StandUp;
        float yaw = 0, x = 0, z = 0;
        float dt = 1f / fps;
        int[] feet = kit ? [13, 14, 15, 18, 19, 20] : [7, 8, 10, 11];
        int[] leftAnkle = kit ? [18] : [7], rightAnkle = kit ? [13] : [8];
        Act? anchoredAct = null;
        int stance = -1;
        float stanceX = 0, stanceZ = 0, vx = 0, vz = 0, prevX = 0, prevZ = 0;
        float anchorX = 0, anchorZ = 0;
        for (int f = 0; f < T; f++)
        {
            float t = f * dt;
            var m = new RootMotion();
            Act? cur = null;
            Act? prev = null;
            foreach (var a in acts)
            {
                if (t >= a.Start && t < a.Start + a.Duration) { cur = a; break; }
                if (t >= a.Start + a.Duration) prev = a;
            }
            if (cur is not null) cur.Eval(t - cur.Start, pose, ref m);
            else if ((prev?.Kind == ActionKind.SitDown) || (prev is null && startsSitting)) Act.Sitting(pose);
            else Act.Neutral(pose);
            for (int i = 0; i < P.Count; i++) pose[i] += style[i];
            pose[P.Lean] += 0.012f * MathF.Sin(1.3f * t + swayPhase);
            pose[P.SideBend] += 0.01f * MathF.Sin(0.9f * t + 2 * swayPhase);

            // Integrate the root in the heading frame (stance-anchored gaits move the root by their planted foot instead).
            bool stanceMode = cur is not null && cur.StanceAnchored;
            if (f > 0)
            {
                yaw += m.YawRate * dt;
                float s = MathF.Sin(yaw), c = MathF.Cos(yaw);
                if (!stanceMode)
                {
                    x += s * m.Forward * dt;
                    z += c * m.Forward * dt;
                }
                else if (m.Air > 0.004f || stance < 0)
                {
                    // Flight (jog/run): keep the velocity the legs gave the root.
                    x += vx * dt;
                    z += vz * dt;
                }
            }
            body.Pose(pose, new Vec(x, 0, z), yaw, frame);
            if (stanceMode)
            {
                float px = x, pz = z;
                int lower = cur!.StanceSide(t - cur.Start) == 0 ? leftAnkle[0] : rightAnkle[0];
                if (m.Air > 0.004f) stance = -1;
                else
                {
                    // Keep the foot that was planted in place for this frame too, then hand over to the new one.
                    if (stance >= 0)
                    {
                        float dx = stanceX - frame[stance * 3], dz = stanceZ - frame[stance * 3 + 2];
                        x += dx; z += dz;
                        for (int j = 0; j < J; j++) { frame[j * 3] += dx; frame[j * 3 + 2] += dz; }
                    }
                    if (lower != stance) { stance = lower; stanceX = frame[lower * 3]; stanceZ = frame[lower * 3 + 2]; }
                }
                if (f > 0 && m.Air <= 0.004f) { vx = 0.7f * vx + 0.3f * (x - px + (px - prevX)) / dt; vz = 0.7f * vz + 0.3f * (z - pz + (pz - prevZ)) / dt; }
            }
            else { stance = -1; vx = vz = 0; }
            prevX = x; prevZ = z;

            // Anchored actions keep the supporting foot (or both feet) where it was when the action began.
            if (cur is not null && cur.Anchored)
            {
                var (ax, az) = AnchorPoint(frame, cur, leftAnkle[0], rightAnkle[0]);
                if (!ReferenceEquals(anchoredAct, cur)) { anchoredAct = cur; anchorX = ax; anchorZ = az; }
                float dx = anchorX - ax, dz = anchorZ - az;
                x += dx; z += dz;
                for (int j = 0; j < J; j++) { frame[j * 3] += dx; frame[j * 3 + 2] += dz; }
            }
            else anchoredAct = null;

            // Feet on the floor: the lowest foot joint touches y = 0, plus any flight height. A planted foot (gaits) is the
            // one that touches, unless the other foot would go below the floor.
            float minFoot = float.MaxValue, minPlanted = float.MaxValue;
            foreach (var j in feet)
            {
                minFoot = MathF.Min(minFoot, frame[j * 3 + 1]);
                if (stanceMode && stance >= 0 && FootSide(j, kit) == FootSide(stance, kit)) minPlanted = MathF.Min(minPlanted, frame[j * 3 + 1]);
            }
            float lift = (minPlanted < float.MaxValue && m.Air <= 0.004f ? -minPlanted : -minFoot) + m.Air;
            if (minFoot + lift < 0) lift = -minFoot;
            for (int j = 0; j < J; j++) frame[j * 3 + 1] += lift;
            frame.CopyTo(pos.AsSpan(f * J * 3));
        }
        return pos;
    }

    // 0 = left foot joint, 1 = right (SMPL: 7/10 left, 8/11 right; KIT: 18-20 left, 13-15 right).
    private static int FootSide(int joint, bool kit) => kit ? (joint >= 16 ? 0 : 1) : (joint % 2 == 1 ? 0 : 1);

    private static (float X, float Z) AnchorPoint(ReadOnlySpan<float> frame, Act a, int left, int right)
    {
        bool oneLeg = a.Kind is ActionKind.Kick or ActionKind.Stomp;
        if (oneLeg)
        {
            int support = a.Side == Side.Left ? right : left;
            return (frame[support * 3], frame[support * 3 + 2]);
        }
        if (a.Kind is ActionKind.Hop)
        {
            int hopper = a.Side == Side.Left ? left : right;
            return (frame[hopper * 3], frame[hopper * 3 + 2]);
        }
        if (a.Kind is ActionKind.Lunge)
        {
            int trailing = a.Side == Side.Left ? right : left;
            return (frame[trailing * 3], frame[trailing * 3 + 2]);
        }
        if (a.Kind == ActionKind.Throw)
        {
            int back = a.Side == Side.Left ? left : right;
            return (frame[back * 3], frame[back * 3 + 2]);
        }
        return (0.5f * (frame[left * 3] + frame[right * 3]), 0.5f * (frame[left * 3 + 2] + frame[right * 3 + 2]));
    }

    /// <summary>Floor at y = 0 (minimum over all joints and frames) and the first-frame root at the XZ origin.</summary>
    public static void Canonicalize(float[] pos, int J)
    {
        float minY = float.MaxValue;
        for (int i = 1; i < pos.Length; i += 3) minY = MathF.Min(minY, pos[i]);
        float x0 = pos[0], z0 = pos[2];
        for (int i = 0; i < pos.Length; i += 3) { pos[i] -= x0; pos[i + 1] -= minY; pos[i + 2] -= z0; }
    }
}
