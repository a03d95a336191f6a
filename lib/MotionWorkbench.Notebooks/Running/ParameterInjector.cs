using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MotionWorkbench.Notebooks.Ipynb;

namespace MotionWorkbench.Notebooks.Running;

/// <summary>
/// papermill's convention for C#: the cell tagged <c>parameters</c> declares the notebook's settings
/// (<c>var preset = "Laptop";</c>, <c>int epochs = 3;</c>, <c>var size = VitSize.Small;</c>); <c>--param name=value</c>
/// overrides become a cell tagged <c>injected-parameters</c> right after it, assigning each value typed like the original
/// declaration: strings are quoted, numbers and booleans checked, <c>Enum.Member</c> initialisers take a bare member name,
/// and anything else is inserted as a C# expression.
/// </summary>
public static class ParameterInjector
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>Inserts (or replaces) the injected cell; returns it, or null when there are no overrides.</summary>
    public static NotebookCell? Apply(Notebook notebook, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        string file = notebook.SourcePath ?? "notebook";
        notebook.Cells.RemoveAll(c => c.HasTag(InjectedTag));
        if (overrides.Count == 0) return null;
        int index = notebook.Cells.FindIndex(c => c.IsCode && c.HasTag(ParametersTag));
        if (index < 0)
            throw new ArgumentException($"{file}: --param {overrides[0].Key}=... was given but no code cell is tagged '{ParametersTag}' "
                                        + "(in VS Code: the cell's '...' menu > Add Cell Tag > parameters)");
        var declarations = Declarations(notebook.Cells[index].Source);
        var code = new StringBuilder("// Parameters injected by mw notebook run (--param), overriding the parameters cell above\n");
        foreach (var (name, value) in overrides)
        {
            if (!declarations.TryGetValue(name, out var decl))
                throw new ArgumentException($"{file}: --param {name}: the parameters cell (cell {index + 1}) declares no '{name}'; it declares: {string.Join(", ", declarations.Keys.Order(StringComparer.Ordinal))}");
            code.Append(name).Append(" = ").Append(Literal(file, name, value, decl.Type, decl.Initializer)).Append(";\n");
        }
        var metadata = new JsonObject { ["tags"] = new JsonArray(InjectedTag) };
        var cell = new NotebookCell("code", code.ToString().TrimEnd('\n'), metadata: metadata);
        notebook.Cells.Insert(index + 1, cell);
        return cell;
    }

    /// <summary>Top-level variable declarations of a cell: name to (declared type, initializer).</summary>
    public static Dictionary<string, (TypeSyntax Type, ExpressionSyntax? Initializer)> Declarations(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest));
        var result = new Dictionary<string, (TypeSyntax, ExpressionSyntax?)>(StringComparer.Ordinal);
        foreach (var member in ((CompilationUnitSyntax)tree.GetRoot()).Members)
        {
            VariableDeclarationSyntax? declaration = member switch
            {
                FieldDeclarationSyntax f => f.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } => l.Declaration,
                _ => null,
            };
            if (declaration is null) continue;
            foreach (var v in declaration.Variables) result[v.Identifier.ValueText] = (declaration.Type, v.Initializer?.Value);
        }
        return result;
    }

    private static string Literal(string file, string name, string value, TypeSyntax type, ExpressionSyntax? initializer)
    {
        string kind = type.IsVar ? KindOf(initializer) : KindOfType(type.ToString());
        if (kind == "raw") kind = KindOf(initializer);
        string Bad(string what) => throw new ArgumentException($"{file}: --param {name}={value}: '{name}' is {what} in the parameters cell, and '{value}' is not");
        switch (kind)
        {
            case "string":
                return SymbolDisplay.FormatLiteral(value, quote: true);
            case "bool":
                return bool.TryParse(value, out var b) ? (b ? "true" : "false") : Bad("a bool");
            case "int":
                return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i.ToString(CultureInfo.InvariantCulture) : Bad("an int");
            case "long":
                return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l.ToString(CultureInfo.InvariantCulture) + "L" : Bad("a long");
            case "double":
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) + "d" : Bad("a double");
            case "float":
                return float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) + "f" : Bad("a float");
            case "decimal":
                return decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m.ToString(CultureInfo.InvariantCulture) + "m" : Bad("a decimal");
            case "member" when initializer is MemberAccessExpressionSyntax access:
                if (SyntaxFacts.IsValidIdentifier(value)) return access.Expression + "." + value;
                return value;
            default:
                return value;
        }
    }

    private static string KindOf(ExpressionSyntax? e) => e switch
    {
        LiteralExpressionSyntax lit => lit.Kind() switch
        {
            SyntaxKind.StringLiteralExpression or SyntaxKind.Utf8StringLiteralExpression => "string",
            SyntaxKind.TrueLiteralExpression or SyntaxKind.FalseLiteralExpression => "bool",
            SyntaxKind.NumericLiteralExpression => lit.Token.Value switch
            {
                int => "int",
                long => "long",
                double => "double",
                float => "float",
                decimal => "decimal",
                _ => "raw",
            },
            _ => "raw",
        },
        InterpolatedStringExpressionSyntax => "string",
        PrefixUnaryExpressionSyntax { Operand: LiteralExpressionSyntax } u => KindOf(u.Operand),
        MemberAccessExpressionSyntax => "member",
        _ => "raw",
    };

    private static string KindOfType(string type) => type switch
    {
        "string" or "String" or "string?" => "string",
        "bool" or "Boolean" => "bool",
        "int" or "Int32" => "int",
        "long" or "Int64" => "long",
        "double" or "Double" => "double",
        "float" or "Single" => "float",
        "decimal" or "Decimal" => "decimal",
        _ => "raw",
    };
}
