using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace KC.Api.Infrastructure;

/// <summary>
/// Binds ids from the query and route as plain decimal digits only. The framework's converter
/// would also take "0x10" or " 16", so a malformed id could name an existing job.
/// </summary>
internal sealed class StrictIntegerBinder : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        ArgumentNullException.ThrowIfNull(bindingContext);
        var value = bindingContext.ValueProvider.GetValue(bindingContext.ModelName);
        if (value == ValueProviderResult.None || string.IsNullOrEmpty(value.FirstValue))
        {
            return Task.CompletedTask;
        }

        bindingContext.ModelState.SetModelValue(bindingContext.ModelName, value);
        if (long.TryParse(value.FirstValue, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            bindingContext.Result = ModelBindingResult.Success(number);
        }
        else
        {
            bindingContext.ModelState.TryAddModelError(bindingContext.ModelName, "must be a positive integer");
        }

        return Task.CompletedTask;
    }
}

internal sealed class StrictIntegerBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var type = context.Metadata.UnderlyingOrModelType;
        return type == typeof(long) && !context.Metadata.IsComplexType && context.BindingInfo.BindingSource != BindingSource.Body
            ? new StrictIntegerBinder()
            : null;
    }
}
